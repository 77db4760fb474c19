import { IPolicyContext, IPolicyRule, PolicyLevel, PolicyResource } from '../../../lib/core/policy/policy-rule';
import { GcpPolicyRules } from '../../../lib/gcp/policy/gcp-policy-rules';

const CONTEXT: IPolicyContext = { resourcesOfType: () => [], resourcesReferencing: () => [] };

function ruleById(id: string): IPolicyRule {
  const found = GcpPolicyRules.all().find((r) => r.id === id);
  if (!found) {
    throw new Error(`no rule ${id}`);
  }
  return found;
}

function check(id: string, type: string, config: any): string | undefined {
  const resource: PolicyResource = { type, address: `${type}.x`, constructPath: 'test/x', config };
  return ruleById(id).check(resource, CONTEXT);
}

const FLAGS: Array<[string, string]> = [
  ['cloudsql.iam_authentication', 'on'], ['cloudsql.enable_pgaudit', 'on'], ['log_checkpoints', 'on'], ['log_connections', 'on'],
  ['log_disconnections', 'on'], ['log_duration', 'on'], ['log_hostname', 'on'], ['log_lock_waits', 'on'], ['log_min_duration_statement', '-1'],
  ['log_min_error_statement', 'error'], ['log_min_messages', 'error'], ['log_statement', 'ddl'], ['log_temp_files', '0'],
];

const GOOD_SQL = {
  database_version: 'POSTGRES_18', deletion_protection: true, encryption_key_name: 'k',
  settings: {
    availability_type: 'REGIONAL', deletion_protection_enabled: true,
    ip_configuration: { ipv4_enabled: false, private_network: 'n', ssl_mode: 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED' },
    backup_configuration: { enabled: true, point_in_time_recovery_enabled: true },
    database_flags: FLAGS.map(([name, value]) => ({ name, value })),
  },
};

function sqlWith(change: (c: any) => void): any {
  const copy = JSON.parse(JSON.stringify(GOOD_SQL));
  change(copy);
  return copy;
}

function flag(name: string, value: string | undefined) {
  return sqlWith((c) => {
    c.settings.database_flags = c.settings.database_flags.filter((f: any) => f.name !== name);
    if (value !== undefined) {
      c.settings.database_flags.push({ name, value });
    }
  });
}

const GOOD_BUCKET = {
  name: 'b', uniform_bucket_level_access: true, public_access_prevention: 'enforced', versioning: { enabled: true },
  logging: { log_bucket: 'logs' }, encryption: { default_kms_key_name: 'k' }, force_destroy: false,
};

const GOOD_CLUSTER = {
  logging_service: 'logging.googleapis.com/kubernetes', enable_legacy_abac: false, datapath_provider: 'ADVANCED_DATAPATH',
  master_auth: { client_certificate_config: { issue_client_certificate: false } },
  master_authorized_networks_config: { cidr_blocks: [{ cidr_block: '10.0.0.0/8' }] }, resource_labels: { team: 'x' },
  ip_allocation_policy: {}, private_cluster_config: { enable_private_nodes: true }, enable_intranode_visibility: true,
  authenticator_groups_config: { security_group: 'gke-security-groups@example.com' },
  binary_authorization: { evaluation_mode: 'PROJECT_SINGLETON_POLICY_ENFORCE' }, release_channel: { channel: 'REGULAR' },
  remove_default_node_pool: true, database_encryption: { state: 'ENCRYPTED', key_name: 'k' },
};

const GOOD_POOL = {
  management: { auto_repair: true, auto_upgrade: true },
  node_config: { image_type: 'COS_CONTAINERD', workload_metadata_config: { mode: 'GKE_METADATA' },
    shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true } },
};

function merged(base: any, patch: any): any {
  return { ...JSON.parse(JSON.stringify(base)), ...patch };
}

/** [rule, resource type, passing config, failing config, message of the failure] */
const CASES: Array<[string, string, any, any, RegExp]> = [
  ['CKV_GCP_29', 'google_storage_bucket', GOOD_BUCKET, merged(GOOD_BUCKET, { uniform_bucket_level_access: false }), /uniform_bucket_level_access is false/],
  ['CKV_GCP_114', 'google_storage_bucket', GOOD_BUCKET, merged(GOOD_BUCKET, { public_access_prevention: 'inherited' }), /not "enforced"/],
  ['CKV_GCP_78', 'google_storage_bucket', GOOD_BUCKET, merged(GOOD_BUCKET, { versioning: { enabled: false } }), /versioning.enabled is false/],
  ['CKV_GCP_62', 'google_storage_bucket', GOOD_BUCKET, merged(GOOD_BUCKET, { logging: undefined }), /log_bucket is not set/],
  ['CKV_GCP_63', 'google_storage_bucket', GOOD_BUCKET, merged(GOOD_BUCKET, { logging: { log_bucket: 'b' } }), /the bucket itself/],
  ['MLOPS_GCS_CMEK', 'google_storage_bucket', GOOD_BUCKET, merged(GOOD_BUCKET, { encryption: undefined }), /default_kms_key_name is not set/],
  ['MLOPS_GCS_FORCE_DESTROY', 'google_storage_bucket', GOOD_BUCKET, merged(GOOD_BUCKET, { force_destroy: true }), /force_destroy is true/],
  ['CKV_GCP_28', 'google_storage_bucket_iam_member', { member: 'serviceAccount:a@b' }, { member: 'allUsers' }, /allUsers makes it public/],
  ['CKV_GCP_28', 'google_storage_bucket_iam_binding', { members: ['user:a@b'] }, { members: ['allAuthenticatedUsers'] }, /allAuthenticatedUsers/],
  ['CKV_GCP_6', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.settings.ip_configuration.ssl_mode = 'ENCRYPTED_ONLY'; }), /ssl_mode is "ENCRYPTED_ONLY"/],
  ['MLOPS_SQL_TLS', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.settings.ip_configuration.ssl_mode = 'ALLOW_UNENCRYPTED_AND_ENCRYPTED'; }), /ALLOW_UNENCRYPTED/],
  ['CKV_GCP_11', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.settings.ip_configuration.authorized_networks = [{ value: '0.0.0.0/0' }]; }), /is \/0/],
  ['MLOPS_SQL_PRIVATE_IP', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.settings.ip_configuration.ipv4_enabled = true; }), /ipv4_enabled is true/],
  ['MLOPS_SQL_PRIVATE_IP', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { delete c.settings.ip_configuration.private_network; }), /private_network is not set/],
  ['CKV_GCP_14', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.settings.backup_configuration.enabled = false; }), /backup_configuration.enabled/],
  ['MLOPS_SQL_PITR', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { delete c.settings.backup_configuration.point_in_time_recovery_enabled; }), /point_in_time_recovery_enabled/],
  ['MLOPS_SQL_HA', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.settings.availability_type = 'ZONAL'; }), /not "REGIONAL"/],
  ['MLOPS_SQL_CMEK', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { delete c.encryption_key_name; }), /encryption_key_name is not set/],
  ['MLOPS_SQL_DELETION_PROTECTION', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.deletion_protection = false; }), /deletion_protection is false/],
  ['MLOPS_SQL_DELETION_PROTECTION', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { delete c.settings.deletion_protection_enabled; }), /deletion_protection_enabled/],
  ['CKV_GCP_79', 'google_sql_database_instance', GOOD_SQL, sqlWith((c) => { c.database_version = 'POSTGRES_15'; }), /POSTGRES_15/],
  ['CKV_GCP_51', 'google_sql_database_instance', GOOD_SQL, flag('log_checkpoints', 'off'), /log_checkpoints is "off"/],
  ['CKV_GCP_52', 'google_sql_database_instance', GOOD_SQL, flag('log_connections', undefined), /log_connections is not set/],
  ['CKV_GCP_53', 'google_sql_database_instance', GOOD_SQL, flag('log_disconnections', 'off'), /log_disconnections/],
  ['CKV_GCP_54', 'google_sql_database_instance', GOOD_SQL, flag('log_lock_waits', 'off'), /log_lock_waits/],
  ['CKV_GCP_55', 'google_sql_database_instance', GOOD_SQL, flag('log_min_messages', 'loud'), /log_min_messages is "loud"/],
  ['CKV_GCP_56', 'google_sql_database_instance', GOOD_SQL, flag('log_temp_files', '1024'), /log_temp_files/],
  ['CKV_GCP_57', 'google_sql_database_instance', GOOD_SQL, flag('log_min_duration_statement', '1000'), /log_min_duration_statement is "1000"/],
  ['CKV_GCP_108', 'google_sql_database_instance', GOOD_SQL, flag('log_hostname', 'off'), /log_hostname/],
  ['CKV_GCP_109', 'google_sql_database_instance', GOOD_SQL, flag('log_min_error_statement', 'panic'), /log_min_error_statement is "panic"/],
  ['CKV_GCP_110', 'google_sql_database_instance', GOOD_SQL, flag('cloudsql.enable_pgaudit', undefined), /enable_pgaudit/],
  ['CKV_GCP_111', 'google_sql_database_instance', GOOD_SQL, flag('log_statement', 'none'), /log_statement is "none"/],
  ['CKV2_GCP_13', 'google_sql_database_instance', GOOD_SQL, flag('log_duration', 'off'), /log_duration/],
  ['CKV2_GCP_14', 'google_sql_database_instance', GOOD_SQL, flag('log_executor_stats', 'on'), /log_executor_stats is "on"/],
  ['CKV2_GCP_15', 'google_sql_database_instance', GOOD_SQL, flag('log_parser_stats', 'on'), /log_parser_stats/],
  ['CKV2_GCP_16', 'google_sql_database_instance', GOOD_SQL, flag('log_planner_stats', 'on'), /log_planner_stats/],
  ['CKV2_GCP_17', 'google_sql_database_instance', GOOD_SQL, flag('log_statement_stats', 'on'), /log_statement_stats/],
  ['CKV_GCP_84', 'google_artifact_registry_repository', { kms_key_name: 'k' }, {}, /kms_key_name is not set/],
  ['MLOPS_AR_IMMUTABLE_TAGS', 'google_artifact_registry_repository', { format: 'DOCKER', docker_config: { immutable_tags: true } }, { format: 'DOCKER' }, /immutable_tags/],
  ['MLOPS_AR_SCANNING', 'google_artifact_registry_repository', {}, { vulnerability_scanning_config: { enablement_config: 'DISABLED' } }, /DISABLED/],
  ['CKV_GCP_101', 'google_artifact_registry_repository_iam_member', { member: 'group:a@b' }, { member: 'allUsers' }, /public/],
  ['CKV_GCP_83', 'google_pubsub_topic', { kms_key_name: 'k' }, {}, /kms_key_name is not set/],
  ['CKV_GCP_99', 'google_pubsub_topic_iam_member', { member: 'serviceAccount:x' }, { member: 'allAuthenticatedUsers' }, /public/],
  ['MLOPS_SECRET_REPLICATION', 'google_secret_manager_secret',
    { replication: { user_managed: { replicas: [{ location: 'a', customer_managed_encryption: { kms_key_name: 'k' } }] } } },
    { replication: { auto: {} } }, /no replicas/],
  ['MLOPS_SECRET_REPLICATION', 'google_secret_manager_secret',
    { replication: { user_managed: { replicas: [{ location: 'a', customer_managed_encryption: { kms_key_name: 'k' } }] } } },
    { replication: { user_managed: { replicas: [{ location: 'us-east1' }] } } }, /replica in "us-east1" has no customer_managed_encryption/],
  ['CKV_GCP_43', 'google_kms_crypto_key', { rotation_period: '7776000s' }, { rotation_period: '31536000s' }, /at most 7776000s/],
  ['CKV_GCP_112', 'google_kms_crypto_key_iam_member', { member: 'serviceAccount:x' }, { member: 'allUsers' }, /public/],
  ['MLOPS_GKE_BACKUP_PLAN', 'google_gke_backup_backup_plan',
    { backup_schedule: { cron_schedule: '0 3 * * *' }, retention_policy: { backup_delete_lock_days: 7 }, backup_config: { encryption_key: { gcp_kms_encryption_key: 'k' } } },
    { backup_schedule: {}, retention_policy: { backup_delete_lock_days: 7 } }, /neither cron_schedule nor rpo_config/],
  ['MLOPS_GKE_BACKUP_PLAN', 'google_gke_backup_backup_plan',
    { backup_schedule: { rpo_config: { target_rpo_minutes: 60 } }, retention_policy: { backup_delete_lock_days: 1 }, backup_config: { encryption_key: { gcp_kms_encryption_key: 'k' } } },
    { backup_schedule: { cron_schedule: 'x' }, retention_policy: { backup_delete_lock_days: 1 }, backup_config: {} }, /gcp_kms_encryption_key is not set/],
  ['CKV_GCP_117', 'google_project_iam_member', { role: 'roles/pubsub.editor' }, { role: 'roles/editor' }, /roles\/editor/],
  ['CKV_GCP_42', 'google_project_iam_member', { role: 'roles/pubsub.editor', member: 'user:a@example.com' },
    { role: 'roles/pubsub.editor', member: 'serviceAccount:sa@p.iam.gserviceaccount.com' }, /granted to service account/],
  ['CKV_GCP_41', 'google_project_iam_member', { role: 'roles/pubsub.editor' }, { role: 'roles/iam.serviceAccountUser' }, /serviceAccountUser/],
  ['CKV_GCP_26', 'google_compute_subnetwork', { log_config: { flow_sampling: 0.5 } }, {}, /log_config is not set/],
  ['CKV_GCP_74', 'google_compute_subnetwork', { private_ip_google_access: true }, { private_ip_google_access: false }, /private_ip_google_access is false/],
  ['CKV_GCP_2', 'google_compute_firewall', { source_ranges: ['10.0.0.0/8'], allow: [{ protocol: 'tcp', ports: ['22'] }] },
    { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['20-25'] }] }, /port 22 is open/],
  ['CKV_GCP_3', 'google_compute_firewall', { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['443'] }] },
    { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp' }] }, /port 3389/],
  ['CKV_GCP_75', 'google_compute_firewall', { source_ranges: ['0.0.0.0/0'], direction: 'EGRESS', allow: [{ protocol: 'all' }] },
    { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'all' }] }, /port 21/],
  ['CKV_GCP_77', 'google_compute_firewall', {}, { source_ranges: ['::/0'], allow: [{ protocol: 'tcp', ports: ['20'] }] }, /port 20/],
  ['CKV_GCP_88', 'google_compute_firewall', {}, { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['3306'] }] }, /port 3306/],
  ['CKV_GCP_106', 'google_compute_firewall', { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'udp', ports: ['80'] }] },
    { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['80'] }] }, /port 80/],
  ['CKV_GCP_82', 'google_kms_crypto_key', { lifecycle: { prevent_destroy: true } }, {}, /prevent_destroy is not true/],
  ['CKV_GCP_1', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { logging_service: 'none' }), /logging_service is "none"/],
  ['CKV_GCP_8', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { monitoring_service: 'none' }), /monitoring_service is "none"/],
  ['CKV_GCP_7', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { enable_legacy_abac: true }), /enable_legacy_abac/],
  ['CKV_GCP_12', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { datapath_provider: 'LEGACY_DATAPATH' }), /network_policy/],
  ['CKV_GCP_13', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { master_auth: { client_certificate_config: { issue_client_certificate: true } } }), /issue_client_certificate/],
  ['CKV_GCP_18', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { master_authorized_networks_config: { cidr_blocks: [{ cidr_block: '0.0.0.0/0' }] } }), /0\.0\.0\.0\/0/],
  ['CKV_GCP_20', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { master_authorized_networks_config: undefined }), /master_authorized_networks_config is not set/],
  ['CKV_GCP_21', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { resource_labels: undefined }), /resource_labels/],
  ['CKV_GCP_23', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { ip_allocation_policy: undefined }), /ip_allocation_policy/],
  ['CKV_GCP_25', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { private_cluster_config: undefined }), /private_cluster_config is not set/],
  ['CKV_GCP_64', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { private_cluster_config: { enable_private_nodes: false } }), /enable_private_nodes/],
  ['CKV_GCP_61', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { enable_intranode_visibility: false }), /intranode/],
  ['CKV_GCP_65', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { authenticator_groups_config: undefined }), /security_group/],
  ['CKV_GCP_66', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { binary_authorization: { evaluation_mode: 'DISABLED' } }), /PROJECT_SINGLETON_POLICY_ENFORCE/],
  ['CKV_GCP_70', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { release_channel: { channel: 'UNSPECIFIED' } }), /UNSPECIFIED/],
  ['CKV_GCP_71', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { enable_shielded_nodes: false }), /enable_shielded_nodes/],
  ['CKV_GCP_123', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { remove_default_node_pool: false }), /remove_default_node_pool/],
  ['MLOPS_GKE_DELETION_PROTECTION', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { deletion_protection: false }), /deletion_protection is false/],
  ['MLOPS_GKE_SECRETS_CMEK', 'google_container_cluster', GOOD_CLUSTER, merged(GOOD_CLUSTER, { database_encryption: { state: 'DECRYPTED' } }), /ENCRYPTED/],
  ['CKV_GCP_68', 'google_container_node_pool', GOOD_POOL, merged(GOOD_POOL, { node_config: { ...GOOD_POOL.node_config, shielded_instance_config: { enable_secure_boot: false } } }), /enable_secure_boot/],
  ['CKV_GCP_72', 'google_container_node_pool', GOOD_POOL, merged(GOOD_POOL, { node_config: { ...GOOD_POOL.node_config, shielded_instance_config: { enable_integrity_monitoring: false } } }), /integrity/],
  ['CKV_GCP_69', 'google_container_node_pool', GOOD_POOL, merged(GOOD_POOL, { node_config: { ...GOOD_POOL.node_config, workload_metadata_config: { mode: 'GCE_METADATA' } } }), /GKE_METADATA/],
  ['CKV_GCP_9', 'google_container_node_pool', GOOD_POOL, merged(GOOD_POOL, { management: { auto_repair: false, auto_upgrade: true } }), /auto_repair/],
  ['CKV_GCP_10', 'google_container_node_pool', GOOD_POOL, merged(GOOD_POOL, { management: { auto_repair: true, auto_upgrade: false } }), /auto_upgrade/],
  ['CKV_GCP_22', 'google_container_node_pool', GOOD_POOL, merged(GOOD_POOL, { node_config: { ...GOOD_POOL.node_config, image_type: 'UBUNTU_CONTAINERD' } }), /UBUNTU/],
];

describe('GcpPolicyRules', () => {
  test('rule IDs are unique, errors but one, and every resource type is a google one', () => {
    const rules = GcpPolicyRules.all();
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.every((r) => r.resourceTypes.every((t) => t.startsWith('google_')))).toBe(true);
    expect(rules.filter((r) => r.level === PolicyLevel.WARNING).map((r) => r.id)).toEqual(['CKV_GCP_82']);
    expect(rules.every((r) => /^(CKV2?_GCP_\d+|MLOPS_[A-Z_]+)$/.test(r.id))).toBe(true);
  });

  test('every rule is exercised below', () => {
    const tested = new Set(CASES.map(([id]) => id));
    expect(GcpPolicyRules.all().map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  test.each(CASES)('%s on %s', (id, type, good, bad, message) => {
    expect(check(id, type, good)).toBeUndefined();
    expect(check(id, type, bad)).toMatch(message);
  });

  test('replicas are exempt from backup and HA rules; non-PostgreSQL instances from the flag rules', () => {
    const replica = sqlWith((c) => { c.master_instance_name = 'p'; c.settings.availability_type = 'ZONAL'; delete c.settings.backup_configuration; });
    for (const id of ['CKV_GCP_14', 'MLOPS_SQL_HA', 'MLOPS_SQL_PITR']) {
      expect(check(id, 'google_sql_database_instance', replica)).toBeUndefined();
    }
    expect(check('CKV_GCP_52', 'google_sql_database_instance', { database_version: 'MYSQL_8_0', settings: {} })).toBeUndefined();
  });

  test('a cluster without its default pool is not judged on node settings', () => {
    expect(check('CKV_GCP_69', 'google_container_cluster', { remove_default_node_pool: true })).toBeUndefined();
  });
});
