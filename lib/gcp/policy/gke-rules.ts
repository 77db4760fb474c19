/* GKE cluster and node pool rules, with checkov's IDs. */
import { IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, firstBlock, isFalse, isSet, isTrue, isUnknown, rule, shown } from '../../aws/policy/rule';

const CLUSTER = ['google_container_cluster'];
const POOL = ['google_container_node_pool'];
const BOTH = [...CLUSTER, ...POOL];

/** The node_config of a node pool, or of a cluster that keeps its default pool (undefined when it removes it). */
function nodeConfigOf(resource: PolicyResource): any {
  if (resource.type === 'google_container_cluster' && isTrue(resource.config.remove_default_node_pool)) {
    return undefined;
  }
  return firstBlock(resource.config, 'node_config');
}

export const GKE_RULES: IPolicyRule[] = [
  rule('CKV_GCP_1', PolicyLevel.ERROR, 'GKE clusters must send logs to Cloud Logging.', CLUSTER,
    (c) => c.config.logging_service === 'none' ? 'logging_service is "none"' : undefined),
  rule('CKV_GCP_8', PolicyLevel.ERROR, 'GKE clusters must send metrics to Cloud Monitoring.', CLUSTER,
    (c) => c.config.monitoring_service === 'none' ? 'monitoring_service is "none"' : undefined),
  rule('CKV_GCP_7', PolicyLevel.ERROR, 'GKE clusters must not enable legacy ABAC.', CLUSTER,
    (c) => isTrue(c.config.enable_legacy_abac) ? 'enable_legacy_abac is true' : undefined),
  rule('CKV_GCP_12', PolicyLevel.ERROR, 'GKE clusters must enforce network policies (network_policy or Dataplane V2).', CLUSTER,
    (c) => isTrue(firstBlock(c.config, 'network_policy')?.enabled) || c.config.datapath_provider === 'ADVANCED_DATAPATH'
      ? undefined : 'neither network_policy.enabled nor datapath_provider "ADVANCED_DATAPATH" is set'),
  rule('CKV_GCP_13', PolicyLevel.ERROR, 'GKE clusters must not issue client certificates.', CLUSTER,
    (c) => isTrue(firstBlock(firstBlock(c.config, 'master_auth'), 'client_certificate_config')?.issue_client_certificate)
      ? 'master_auth.client_certificate_config.issue_client_certificate is true' : undefined),
  rule('CKV_GCP_18', PolicyLevel.ERROR, 'GKE control planes must not be open to 0.0.0.0/0.', CLUSTER,
    (c) => asList(firstBlock(c.config, 'master_authorized_networks_config')?.cidr_blocks).some((b: any) => b?.cidr_block === '0.0.0.0/0')
      ? 'master_authorized_networks_config allows 0.0.0.0/0' : undefined),
  rule('CKV_GCP_20', PolicyLevel.ERROR, 'GKE clusters must restrict control-plane access with authorized networks.', CLUSTER,
    (c) => firstBlock(c.config, 'master_authorized_networks_config') ? undefined : 'master_authorized_networks_config is not set'),
  rule('CKV_GCP_21', PolicyLevel.ERROR, 'GKE clusters must carry resource labels.', CLUSTER,
    (c) => isSet(c.config.resource_labels) && Object.keys(c.config.resource_labels ?? {}).length > 0 ? undefined : 'resource_labels is not set'),
  rule('CKV_GCP_23', PolicyLevel.ERROR, 'GKE clusters must be VPC-native (ip_allocation_policy).', CLUSTER,
    (c) => firstBlock(c.config, 'ip_allocation_policy') ? undefined : 'ip_allocation_policy is not set'),
  rule('CKV_GCP_25', PolicyLevel.ERROR, 'GKE clusters must be private (private_cluster_config).', CLUSTER,
    (c) => firstBlock(c.config, 'private_cluster_config') ? undefined : 'private_cluster_config is not set'),
  rule('CKV_GCP_64', PolicyLevel.ERROR, 'GKE nodes must have no public IP (enable_private_nodes).', CLUSTER,
    (c) => {
      const value = firstBlock(c.config, 'private_cluster_config')?.enable_private_nodes;
      return isTrue(value) || isUnknown(value) ? undefined : `private_cluster_config.enable_private_nodes is ${shown(value)}`;
    }),
  rule('CKV_GCP_61', PolicyLevel.ERROR, 'GKE clusters must enable intranode visibility (pod-to-pod traffic in VPC flow logs).', CLUSTER,
    (c) => isTrue(c.config.enable_intranode_visibility) ? undefined : 'enable_intranode_visibility is not true'),
  rule('CKV_GCP_65', PolicyLevel.ERROR, 'GKE clusters must manage RBAC with Google Groups (authenticator_groups_config).', CLUSTER,
    (c) => isSet(firstBlock(c.config, 'authenticator_groups_config')?.security_group) ? undefined : 'authenticator_groups_config.security_group is not set'),
  rule('CKV_GCP_66', PolicyLevel.ERROR, 'GKE clusters must enforce Binary Authorization.', CLUSTER,
    (c) => firstBlock(c.config, 'binary_authorization')?.evaluation_mode === 'PROJECT_SINGLETON_POLICY_ENFORCE' || isTrue(c.config.enable_binary_authorization)
      ? undefined : 'binary_authorization.evaluation_mode is not "PROJECT_SINGLETON_POLICY_ENFORCE"'),
  rule('CKV_GCP_70', PolicyLevel.ERROR, 'GKE clusters must follow a release channel.', CLUSTER,
    (c) => ['RAPID', 'REGULAR', 'STABLE', 'EXTENDED'].includes(firstBlock(c.config, 'release_channel')?.channel)
      ? undefined : `release_channel.channel is ${shown(firstBlock(c.config, 'release_channel')?.channel)}`),
  rule('CKV_GCP_71', PolicyLevel.ERROR, 'GKE clusters must use shielded nodes.', CLUSTER,
    (c) => isFalse(c.config.enable_shielded_nodes) ? 'enable_shielded_nodes is false' : undefined),
  rule('CKV_GCP_123', PolicyLevel.ERROR, 'GKE clusters must remove the default node pool and manage pools separately.', CLUSTER,
    (c) => isTrue(c.config.remove_default_node_pool) ? undefined : 'remove_default_node_pool is not true'),
  rule('MLOPS_GKE_DELETION_PROTECTION', PolicyLevel.ERROR, 'GKE clusters must be deletion-protected.', CLUSTER,
    (c) => isFalse(c.config.deletion_protection) ? 'deletion_protection is false' : undefined),
  rule('MLOPS_GKE_SECRETS_CMEK', PolicyLevel.ERROR, 'GKE clusters must encrypt Kubernetes secrets (etcd) with a customer-managed key.', CLUSTER,
    (c) => {
      const encryption = firstBlock(c.config, 'database_encryption');
      return encryption?.state === 'ENCRYPTED' && isSet(encryption?.key_name) ? undefined : 'database_encryption is not ENCRYPTED with a key_name';
    }),

  rule('CKV_GCP_68', PolicyLevel.ERROR, 'GKE nodes must use Secure Boot.', BOTH,
    (r) => {
      const node = nodeConfigOf(r);
      return node === undefined || isTrue(firstBlock(node, 'shielded_instance_config')?.enable_secure_boot)
        ? undefined : 'node_config.shielded_instance_config.enable_secure_boot is not true';
    }),
  rule('CKV_GCP_72', PolicyLevel.ERROR, 'GKE nodes must have integrity monitoring.', BOTH,
    (r) => {
      const node = nodeConfigOf(r);
      return node === undefined || !isFalse(firstBlock(node, 'shielded_instance_config')?.enable_integrity_monitoring)
        ? undefined : 'node_config.shielded_instance_config.enable_integrity_monitoring is false';
    }),
  rule('CKV_GCP_69', PolicyLevel.ERROR, 'GKE nodes must run the GKE metadata server (Workload Identity).', BOTH,
    (r) => {
      const node = nodeConfigOf(r);
      return node === undefined || firstBlock(node, 'workload_metadata_config')?.mode === 'GKE_METADATA'
        ? undefined : 'node_config.workload_metadata_config.mode is not "GKE_METADATA"';
    }),
  rule('CKV_GCP_9', PolicyLevel.ERROR, 'GKE node pools must repair nodes automatically.', POOL,
    (p) => isFalse(firstBlock(p.config, 'management')?.auto_repair) || !firstBlock(p.config, 'management')
      ? 'management.auto_repair is not true' : undefined),
  rule('CKV_GCP_10', PolicyLevel.ERROR, 'GKE node pools must upgrade nodes automatically.', POOL,
    (p) => isFalse(firstBlock(p.config, 'management')?.auto_upgrade) || !firstBlock(p.config, 'management')
      ? 'management.auto_upgrade is not true' : undefined),
  rule('CKV_GCP_22', PolicyLevel.ERROR, 'GKE node pools must use Container-Optimized OS images.', POOL,
    (p) => {
      const image = firstBlock(p.config, 'node_config')?.image_type;
      return image === undefined || isUnknown(image) || String(image).toLowerCase().startsWith('cos')
        ? undefined : `node_config.image_type is ${shown(image)}`;
    }),
];
