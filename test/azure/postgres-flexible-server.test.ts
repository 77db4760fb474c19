import { AksCluster } from '../../lib/azure/aks-cluster';
import { AzureCloud } from '../../lib/azure/azure-cloud';
import { AzurePolicyRules } from '../../lib/azure/policy/azure-policy-rules';
import { PostgresFlexibleServer } from '../../lib/azure/postgres-flexible-server';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { expectValidationError, helmRelease, manifestObjects, newStack, refTo, resourceAt, resourcesOfType, synthStack, warningsUnder } from '../helpers';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function setup(drRegion = 'centralus') {
  const stack = newStack({ primaryRegion: 'eastus2', recoveryObjective: RecoveryObjective.businessCritical(drRegion) });
  const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION });
  stack.policy.addRules(AzurePolicyRules.all());
  PolicySuppressions.add(cloud, [{ id: 'CKV_AZURE_40', reason: 'Keys of AzureCloud expire through their rotation policy.' }]);
  const cluster = new AksCluster(stack, 'Cluster', { cloud });
  // The cluster's rules are AksCluster's to satisfy (its own tests judge them); these tests judge the database.
  PolicySuppressions.add(cluster, AzurePolicyRules.all().filter((r) => r.resourceTypes.some((t) => t.startsWith('azurerm_kubernetes')))
    .map((r) => ({ id: r.id, reason: 'Judged by the AksCluster tests, not here.' })));
  return { stack, cloud, cluster };
}

describe('PostgresFlexibleServer', () => {
  test('is zone-redundant, private, CMK-encrypted with geo-redundant backups under the DR key, and locked', () => {
    const { stack, cloud, cluster } = setup();
    new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    const json = synthStack(stack).json;
    const server = resourceAt(json, 'azurerm_postgresql_flexible_server', 'Db/Resource');
    expect(server).toMatchObject({
      location: 'eastus2', version: '17', sku_name: 'GP_Standard_D2ds_v5', storage_mb: 65536, auto_grow_enabled: true,
      geo_redundant_backup_enabled: true, public_network_access_enabled: false, zone: '1',
      high_availability: { mode: 'ZoneRedundant', standby_availability_zone: '2' },
      authentication: { active_directory_auth_enabled: true, password_auth_enabled: true },
      administrator_login: 'mlops_admin', administrator_password_wo_version: 1,
    });
    expect(server.administrator_password).toBeUndefined();
    expect(server.administrator_password_wo).toMatch(/local\.Db_AdminPassword/);
    expect(server.delegated_subnet_id).toMatch(/azurerm_subnet\./);
    expect(server.private_dns_zone_id).toMatch(/azurerm_private_dns_zone\./);
    expect(server.customer_managed_key).toEqual({
      key_vault_key_id: expect.stringMatching(/PrimaryDataKey/),
      primary_user_assigned_identity_id: refTo(json, 'azurerm_user_assigned_identity', 'Db/EncryptionIdentity', 'id'),
      geo_backup_key_vault_key_id: expect.stringMatching(/DrDataKey/),
      geo_backup_user_assigned_identity_id: refTo(json, 'azurerm_user_assigned_identity', 'Db/GeoBackupIdentity', 'id'),
    });
    expect(resourceAt(json, 'azurerm_user_assigned_identity', 'Db/GeoBackupIdentity').location).toBe('centralus');
    // Both identities hold their key before the server exists.
    expect(server.depends_on.filter((d: string) => d.startsWith('azurerm_role_assignment.'))).toHaveLength(2);
    expect(resourceAt(json, 'azurerm_management_lock', 'Db/DeleteLock').lock_level).toBe('CanNotDelete');
    const parameters = resourcesOfType(json, 'azurerm_postgresql_flexible_server_configuration');
    expect(Object.fromEntries(parameters.map((p: any) => [p.name, p.value]))).toEqual({
      'require_secure_transport': 'on', 'log_checkpoints': 'on', 'log_connections': 'on', 'log_disconnections': 'on', 'connection_throttle.enable': 'on',
    });
    // One parameter at a time.
    expect(parameters.filter((p: any) => p.depends_on === undefined)).toHaveLength(1);
    expect(resourceAt(json, 'azurerm_postgresql_flexible_server_database', 'Db/Database')).toMatchObject({ name: 'mlflow', lifecycle: { prevent_destroy: true } });
    const secret = resourceAt(json, 'azurerm_key_vault_secret', 'Db/AdminSecret');
    expect(secret).toMatchObject({ content_type: 'application/json', value_wo_version: 1 });
    expect(secret.value).toBeUndefined();
  });

  test('registers the database with point-in-time and geo-restore protections', () => {
    const { stack, cloud, cluster } = setup();
    const db = new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    const entry = stack.dataStores.stores.find((e) => e.store.path === db.node.path)!;
    expect(entry.store).toMatchObject({ kind: 'DATABASE', region: 'eastus2', backupServiceEligible: false, sizeGiB: 64 });
    const geo = entry.protections.find((p) => p.copyRegion === 'centralus')!;
    expect(geo.mechanism).toMatch(/geo-redundant backups/);
    expect(geo.copyRpo.toMinutes()).toBe(60);
    expect(geo.restore?.kind).toBe('POINT_IN_TIME');
    expect(geo.restore?.steps[0].commands?.join('\n')).toMatch(/az postgres flexible-server geo-restore/);
    const lines = (stack as any).costLines.filter((l: any) => l.component === db.node.path);
    expect(lines.find((l: any) => l.priceKey === 'postgres:gp-vcore-hour')).toMatchObject({ baselineQuantity: 2 * 2 * 730 });
    expect(lines.map((l: any) => l.priceKey)).toEqual(expect.arrayContaining(['postgres-flexible:storage', 'postgres-flexible:backup-geo']));
  });

  test('turns geo-redundant backups off, with a warning, when the DR region is not the pair', () => {
    const { stack, cloud, cluster } = setup('westus3');
    const db = new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    expect(db.geoRedundantBackup).toBe(false);
    expect(db.geoBackupIdentity).toBeUndefined();
    expect(warningsUnder(db).join('\n')).toMatch(/not the Azure pair/);
  });

  test('an application role gets its own login in Key Vault, a bootstrap Job and namespace-scoped secret stores', () => {
    const { stack, cloud, cluster } = setup();
    const db = new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    const credentials = db.addApplicationRole(stack, 'MlflowRole', {
      cluster, namespace: 'mlflow', roleName: 'mlflow', databases: ['mlflow'], secretName: 'mlflow-db',
    });
    expect(credentials).toMatchObject({ secretName: 'mlflow-db', usernameKey: 'username', passwordKey: 'password' });
    const result = synthStack(stack);
    const json = result.json;
    const login = resourceAt(json, 'azurerm_key_vault_secret', 'Db/RoleMlflowSecret');
    expect(login.value_wo).toMatch(/local\.Db_RoleMlflowPassword/);
    const bootstrap = helmRelease(json, 'mlflow-role-bootstrap');
    const [job] = manifestObjects(result.dir, bootstrap);
    expect(job.kind).toBe('Job');
    expect(job.metadata.namespace).toBe('db-admin');
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'PGSSLMODE', value: 'require' },
      { name: 'PGHOST', value: refTo(json, 'azurerm_postgresql_flexible_server', 'Db/Resource', 'fqdn') },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'mlflow-admin', key: 'password' } } },
    ]));
    const appStore = manifestObjects(result.dir, helmRelease(json, 'mlflow-db-store'));
    expect(appStore.find((o) => o.kind === 'ExternalSecret').spec.data).toEqual([
      { secretKey: 'username', remoteRef: { key: expect.stringMatching(/^secret\//), property: 'username' } },
      { secretKey: 'password', remoteRef: { key: expect.stringMatching(/^secret\//), property: 'password' } },
    ]);
    const entry = stack.dataStores.stores.find((e) => e.store.path === db.node.path)!;
    expect(entry.clients?.[0].repoint.commands?.join('\n')).toMatch(/az keyvault secret show/);
  });

  test('the policy pack passes it, with reasoned suppressions only', () => {
    const { stack, cloud, cluster } = setup();
    new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    const findings = synthStack(stack).report.policy.findings.filter((f: any) => f.constructPath.startsWith('test/Db/'));
    expect(findings.filter((f: any) => !f.suppressedBecause)).toEqual([]);
    expect(findings.map((f: any) => f.ruleId)).toEqual(expect.arrayContaining(['CKV2_AZURE_57', 'CKV_AZURE_41']));
  });

  describe('validation', () => {
    test.each([
      ['databaseName', { databaseName: '1db' }, /a letter followed by/],
      ['engineVersion', { engineVersion: '12' }, /13 to 17/],
      ['instanceClass', { instanceClass: 'B_Standard_B1ms' }, /Burstable/],
      ['allocatedStorageGiB', { allocatedStorageGiB: 50 }, /not a flexible server storage size/],
      ['maxAllocatedStorageGiB', { allocatedStorageGiB: 128, maxAllocatedStorageGiB: 64 }, /maxAllocatedStorageGiB/],
      ['entraAdminName', { entraAdminObjectId: '00000000-0000-0000-0000-000000000002' }, /required with entraAdminObjectId/],
    ])('%s', (prop, extra, message) => {
      const { stack, cloud, cluster } = setup();
      expectValidationError(() => new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster, ...extra as any }),
        'test/Db', prop, message);
    });

    test('geo-redundant backups in a region without a pair', () => {
      const stack = newStack({ primaryRegion: 'polandcentral', recoveryObjective: RecoveryObjective.businessCritical('swedencentral') });
      const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION });
      const cluster = new AksCluster(stack, 'Cluster', { cloud });
      expectValidationError(() => new PostgresFlexibleServer(stack, 'Db', {
        cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster, geoRedundantBackup: true,
      }), 'test/Db', 'geoRedundantBackup', /has no Azure pair region/);
    });

    test.each([
      ['roleName', { roleName: 'Bad' }, /lower-case PostgreSQL identifier/],
      ['roleName', { roleName: 'azure_pg_admin' }, /reserves/],
      ['databases', { databases: [] }, /at least one database/],
      ['databases[0]', { databases: ['Bad'] }, /lower-case PostgreSQL identifier/],
    ])('application role %s', (prop, extra, message) => {
      const { stack, cloud, cluster } = setup();
      const db = new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
      expectValidationError(() => db.addApplicationRole(stack, 'Role', {
        cluster, namespace: 'mlflow', roleName: 'mlflow', databases: ['mlflow'], secretName: 'mlflow-db', ...extra as any,
      }), 'test/Role', prop, message);
    });
  });

  test('is created after its private DNS zone is linked to the VNet (Azure would link it itself and the Terraform link would clash)', () => {
    const { stack, cloud, cluster } = setup();
    new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    const json = synthStack(stack).json;
    const server = resourceAt(json, 'azurerm_postgresql_flexible_server', 'Db/Resource');
    const links = Object.keys(json.resource.azurerm_private_dns_zone_virtual_network_link)
      .filter((name) => name.includes('PrivatelinkPostgresZoneLink'));
    expect(links).toHaveLength(1);
    expect(server.depends_on).toContain(`azurerm_private_dns_zone_virtual_network_link.${links[0]}`);
  });

  test('the administrator password has three character classes (upper, lower, digits), as the flexible server requires', () => {
    const { stack, cloud, cluster } = setup();
    new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    const json = synthStack(stack).json;
    const local: string = json.locals[Object.keys(json.locals).find((k) => k.startsWith('Db_AdminPassword'))!];
    expect(local).toMatch(/^\$\{join\("", \[upper\(replace\(uuid\(\), "-", ""\)\), replace\(uuid\(\), "-", ""\)\]\)\}$/);
  });
});
