import { Construct } from 'constructs';
import { Duration } from '../../lib/core/duration';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { GcpCloud } from '../../lib/gcp/gcp-cloud';
import { GcpNetwork } from '../../lib/gcp/gcp-network';
import { CloudSqlPostgres } from '../../lib/gcp/cloud-sql-postgres';
import { GkeCluster } from '../../lib/gcp/gke-cluster';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { GcpPolicyRules } from '../../lib/gcp/policy/gcp-policy-rules';
import { expectValidationError, helmRelease, manifestObjects, newStack, refTo, resourceAt, resourcesOfType, stringLeaves, synthStack } from '../helpers';

function setup(recoveryObjective = RecoveryObjective.businessCritical('us-east1')) {
  const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective });
  const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
  const network = new GcpNetwork(stack, 'Network', { cloud });
  const cluster = new GkeCluster(stack, 'Cluster', { cloud, network });
  // Google Groups for RBAC (CKV_GCP_65) needs a Workspace domain, which the test project has not.
  PolicySuppressions.add(cluster.resource, [{ id: 'CKV_GCP_65', reason: 'The test project has no Google Workspace domain for RBAC groups.' }]);
  const db = (overrides: any = {}, id = 'Db') => new CloudSqlPostgres(stack, id, {
    cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster,
    privateNetwork: network.networkSelfLink, privateServiceConnection: network.privateServiceConnection, ...overrides,
  });
  return { stack, cloud, network, cluster, db };
}

describe('CloudSqlPostgres', () => {
  test('is regional, private, TLS-only, CMEK-encrypted, deletion-protected, labelled and backed up to the DR region', () => {
    const { stack, db } = setup();
    db();
    const { json } = synthStack(stack);
    const instance = resourceAt(json, 'google_sql_database_instance', 'Db/Resource');
    expect(instance).toMatchObject({
      database_version: 'POSTGRES_18', region: 'us-central1', deletion_protection: true,
      settings: {
        tier: 'db-custom-2-8192', edition: 'ENTERPRISE', availability_type: 'REGIONAL', disk_type: 'PD_SSD', disk_size: 50,
        disk_autoresize: true, disk_autoresize_limit: 500, deletion_protection_enabled: true,
        ip_configuration: { ipv4_enabled: false, ssl_mode: 'ENCRYPTED_ONLY', private_network: refTo(json, 'google_compute_network', 'Network/Resource', 'self_link') },
        backup_configuration: { enabled: true, point_in_time_recovery_enabled: true, location: 'us-east1', transaction_log_retention_days: 7,
          backup_retention_settings: { retained_backups: 35, retention_unit: 'COUNT' } },
      },
    });
    expect(instance.settings.user_labels).toMatchObject({ 'cost-center': 'cc-4512', team: 'ml-platform', purpose: 'mlflow' });
    expect(instance.encryption_key_name).toMatch(/Gcp_PrimaryDataKey/);
    expect(instance.depends_on).toEqual(expect.arrayContaining([
      expect.stringMatching(/^google_kms_crypto_key_iam_member\..*AgentCloudSql/),
      expect.stringMatching(/^google_service_networking_connection\./),
    ]));
    const flags = Object.fromEntries(instance.settings.database_flags.map((f: any) => [f.name, f.value]));
    expect(flags).toMatchObject({ 'cloudsql.iam_authentication': 'on', 'cloudsql.enable_pgaudit': 'on', log_connections: 'on', log_min_duration_statement: '-1' });
  });

  test('takes the private network and its service connection from a GKE cluster', () => {
    const { stack, db } = setup();
    db({ privateNetwork: undefined, privateServiceConnection: undefined });
    const { json } = synthStack(stack);
    const instance = resourceAt(json, 'google_sql_database_instance', 'Db/Resource');
    expect(instance.settings.ip_configuration.private_network).toBe(refTo(json, 'google_compute_network', 'Network/Resource', 'self_link'));
    expect(instance.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_service_networking_connection\./)]));
  });

  test('keeps a cross-region read replica when the RPO is shorter than daily backups', () => {
    const { stack, db } = setup();
    const database = db();
    const { json } = synthStack(stack);
    const replica = resourceAt(json, 'google_sql_database_instance', 'Db/Replica');
    expect(replica).toMatchObject({ region: 'us-east1', master_instance_name: refTo(json, 'google_sql_database_instance', 'Db/Resource', 'name'),
      settings: { availability_type: 'ZONAL' }, deletion_protection: true });
    expect(replica.encryption_key_name).toMatch(/Gcp_DrDataKey/);
    const entry = stack.dataStores.stores.find((e) => e.store.path === database.node.path)!;
    expect(entry.protections.map((p) => p.mechanism)).toEqual([
      'Cloud SQL point-in-time recovery', 'Cloud SQL automated backups stored in us-east1', 'Cloud SQL cross-region read replica',
    ]);
    expect(entry.protections[2].restore?.kind).toBe('REPLICA');
  });

  test('no replica when daily backups meet the RPO', () => {
    const { stack, db } = setup(RecoveryObjective.of({ rpo: Duration.hours(36), rto: Duration.hours(24), drRegion: 'us-east1' }));
    db();
    const { json } = synthStack(stack);
    expect(resourcesOfType(json, 'google_sql_database_instance')).toHaveLength(1);
  });

  test('the admin password is write-only and never in state or values', () => {
    const { stack, db } = setup();
    db();
    const { json } = synthStack(stack);
    const user = resourceAt(json, 'google_sql_user', 'Db/AdminUser');
    expect(user).toMatchObject({ name: 'mlops_admin', type: 'BUILT_IN', password_wo_version: 1 });
    expect(user.password).toBeUndefined();
    expect(user.password_wo).toMatch(/^\$\{local\./);
    expect(Object.values<string>(json.locals)[0]).toMatch(/uuid\(\)/);
    const version = resourceAt(json, 'google_secret_manager_secret_version', 'Db/AdminSecretValue');
    expect(version.secret_data).toBeUndefined();
    expect(version.secret_data_wo).toMatch(/jsonencode/);
    const secret = resourceAt(json, 'google_secret_manager_secret', 'Db/AdminSecret');
    expect(secret.replication.user_managed.replicas.map((r: any) => r.location)).toEqual(['us-central1', 'us-east1']);
  });

  test('addApplicationRole creates the role with a Job and syncs the login into the namespace', () => {
    const { stack, cluster, db } = setup();
    const database = db();
    const credentials = database.addApplicationRole(stack, 'Role', {
      cluster, namespace: 'mlflow', roleName: 'mlflow', databases: ['mlflow', 'mlflow_auth'], secretName: 'mlflow-db',
    });
    expect(credentials).toMatchObject({ secretName: 'mlflow-db', usernameKey: 'username', passwordKey: 'password' });
    const { json, dir } = synthStack(stack);
    const job = manifestObjects(dir, helmRelease(json, 'mlflow-role-bootstrap')).find((o) => o.kind === 'Job');
    expect(job.metadata.namespace).toBe('db-admin');
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: 'APP_DATABASES', value: 'mlflow mlflow_auth' }, { name: 'PGSSLMODE', value: 'require' }]));
    const app = manifestObjects(dir, helmRelease(json, 'mlflow-db-store'));
    const store = app.find((o) => o.kind === 'SecretStore');
    expect(store.spec.provider.gcpsm).toMatchObject({ projectID: 'fraud-ml-prod', auth: { workloadIdentity: { serviceAccountRef: { name: 'mlflow-db-store' } } } });
    const external = app.find((o) => o.kind === 'ExternalSecret');
    expect(external.spec.data.map((d: any) => d.secretKey)).toEqual(['username', 'password']);
    // No password text anywhere in the Terraform JSON.
    expect(stringLeaves(json).filter(([k]) => /password$/.test(k) && !/_wo$/.test(k))).toEqual([]);
  });

  test('passes the GCP policy rules (TLS without client certificates is suppressed with its reason)', () => {
    const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective: RecoveryObjective.businessCritical('us-east1') });
    const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
    const network = new GcpNetwork(stack, 'Network', { cloud });
    stack.policy.addRules(GcpPolicyRules.all());
    new CloudSqlPostgres(stack, 'Db', {
      cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: new Construct(stack, 'Clients') as any,
      privateNetwork: network.networkSelfLink, privateServiceConnection: network.privateServiceConnection,
    });
    const { report } = synthStack(stack);
    const sql = report.policy.findings.filter((f: any) => f.address.startsWith('google_sql') || f.address.startsWith('google_secret'));
    expect(sql.filter((f: any) => f.suppressedBecause === undefined && f.level === 'ERROR')).toEqual([]);
    expect(sql.map((f: any) => f.ruleId)).toEqual(['CKV_GCP_6', 'CKV_GCP_6']);
  });

  describe('validation', () => {
    test.each([
      ['databaseName', { databaseName: '1db' }, /databaseName is not valid/],
      ['engineVersion', { engineVersion: '13' }, /engineVersion is not valid/],
      ['instanceClass', { instanceClass: 'db.m7g.large' }, /instanceClass is not valid: a Cloud SQL Enterprise custom tier/],
      ['allocatedStorageGiB', { allocatedStorageGiB: 5 }, /allocatedStorageGiB/],
      ['maxAllocatedStorageGiB', { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }, /maxAllocatedStorageGiB/],
    ])('%s', (prop, overrides, message) => {
      const { db } = setup();
      expectValidationError(() => db(overrides), 'test/Db', prop, message);
    });

    test('clients without a network', () => {
      const { stack, db } = setup();
      expectValidationError(() => db({ privateNetwork: undefined, clients: new Construct(stack, 'NoNetwork') }), 'test/Db', 'clients', /has no VPC network/);
    });

    test('role name and databases', () => {
      const { stack, cluster, db } = setup();
      const database = db();
      const role = (id: string, o: any) => () => database.addApplicationRole(stack, id, {
        cluster, namespace: 'mlflow', roleName: 'mlflow', databases: ['mlflow'], secretName: 'mlflow-db', ...o,
      });
      expectValidationError(role('A', { roleName: 'MLflow' }), 'test/A', 'roleName', /lower-case PostgreSQL identifier/);
      expectValidationError(role('B', { databases: [] }), 'test/B', 'databases', /at least one database/);
      expectValidationError(role('C', { databases: ['Bad-Db'] }), 'test/C', 'databases[0]', /lower-case PostgreSQL identifier/);
    });
  });
});
