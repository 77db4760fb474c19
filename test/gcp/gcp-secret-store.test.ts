import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { GcpCloud } from '../../lib/gcp/gcp-cloud';
import { GcpNetwork } from '../../lib/gcp/gcp-network';
import { GcpNamespaceSecretStore } from '../../lib/gcp/gcp-secret-store';
import { GkeCluster } from '../../lib/gcp/gke-cluster';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';

/** Google Groups for RBAC (CKV_GCP_65) needs a Workspace domain, which the test project has not. */
function withoutGroupsRbac(cluster: GkeCluster): GkeCluster {
  PolicySuppressions.add(cluster.resource, [{ id: 'CKV_GCP_65', reason: 'The test project has no Google Workspace domain for RBAC groups.' }]);
  return cluster;
}
import { GcpPolicyRules } from '../../lib/gcp/policy/gcp-policy-rules';
import { expectValidationError, helmRelease, manifestObjects, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

function setup() {
  const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective: RecoveryObjective.businessCritical('us-east1') });
  const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
  const cluster = withoutGroupsRbac(new GkeCluster(stack, 'Cluster', { cloud, network: new GcpNetwork(stack, 'Network', { cloud }) }));
  const secret = GcpNamespaceSecretStore.newSecret(stack, 'Login', { cloud, secretId: 'fraud-prod-mlflow-db', purpose: 'mlflow login' });
  return { stack, cloud, cluster, secret };
}

describe('GcpNamespaceSecretStore', () => {
  test('newSecret pins replicas to the primary and DR regions, each under its region\'s key', () => {
    const { stack } = setup();
    const { json } = synthStack(stack);
    const secret = resourceAt(json, 'google_secret_manager_secret', 'Login');
    expect(secret).toMatchObject({ secret_id: 'fraud-prod-mlflow-db', labels: { purpose: 'mlflow-login' } });
    const replicas = secret.replication.user_managed.replicas;
    expect(replicas.map((r: any) => r.location)).toEqual(['us-central1', 'us-east1']);
    expect(replicas[0].customer_managed_encryption.kms_key_name).toMatch(/Gcp_PrimaryDataKey/);
    expect(replicas[1].customer_managed_encryption.kms_key_name).toMatch(/Gcp_DrDataKey/);
    expect(secret.depends_on).toHaveLength(2);
  });

  test('a SecretStore scoped to one namespace with an identity that reads only the listed secrets', () => {
    const { stack, cloud, cluster, secret } = setup();
    const store = new GcpNamespaceSecretStore(stack, 'Store', {
      cloud, cluster, namespace: 'mlflow', name: 'mlflow-db', secrets: [{ secretName: 'mlflow-db', secret, properties: ['username', 'password'] }],
    });
    const { json, dir } = synthStack(stack);
    const grants = resourcesOfType(json, 'google_secret_manager_secret_iam_member');
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ role: 'roles/secretmanager.secretAccessor', secret_id: refTo(json, 'google_secret_manager_secret', 'Login', 'secret_id') });
    expect(grants[0].member).toMatch(/^serviceAccount:\$\{google_service_account\./);
    const release = helmRelease(json, 'mlflow-db');
    expect(release.namespace).toBe('mlflow');
    expect(release.depends_on).toEqual(expect.arrayContaining([
      expect.stringMatching(/^google_secret_manager_secret_iam_member\./), expect.stringMatching(/^google_service_account_iam_member\./),
    ]));
    const objects = manifestObjects(dir, release);
    const sa = objects.find((o) => o.kind === 'ServiceAccount');
    expect(sa.metadata.annotations['iam.gke.io/gcp-service-account']).toMatch(/google_service_account\..*\.email/);
    const secretStore = objects.find((o) => o.kind === 'SecretStore');
    expect(secretStore.spec.provider.gcpsm).toEqual({
      projectID: 'fraud-ml-prod',
      auth: { workloadIdentity: { clusterLocation: 'us-central1', clusterName: expect.any(String), clusterProjectID: 'fraud-ml-prod', serviceAccountRef: { name: 'mlflow-db' } } },
    });
    const external = objects.find((o) => o.kind === 'ExternalSecret');
    expect(external.spec).toMatchObject({
      refreshInterval: '1h', secretStoreRef: { name: 'mlflow-db', kind: 'SecretStore' }, target: { name: 'mlflow-db', creationPolicy: 'Owner' },
      data: [{ secretKey: 'username', remoteRef: { key: expect.any(String), version: 'latest', property: 'username' } }, expect.anything()],
    });
    expect(store.identity.principalId).toBeDefined();
  });

  test('secrets pass the GCP policy rules', () => {
    const { stack, cloud, cluster, secret } = setup();
    stack.policy.addRules(GcpPolicyRules.all());
    new GcpNamespaceSecretStore(stack, 'Store', {
      cloud, cluster, namespace: 'mlflow', name: 'mlflow-db', secrets: [{ secretName: 'mlflow-db', secret, properties: ['password'] }],
    });
    const { report } = synthStack(stack);
    expect(report.policy.findings.filter((f: any) => f.address.startsWith('google_secret'))).toEqual([]);
    expect(report.policy.findings.filter((f: any) => f.suppressedBecause === undefined && f.level === 'ERROR')).toEqual([]);
  });

  describe('validation', () => {
    test('name', () => {
      const { stack, cloud, cluster, secret } = setup();
      const store = (id: string, name: string) => () => new GcpNamespaceSecretStore(stack, id, {
        cloud, cluster, namespace: 'mlflow', name, secrets: [{ secretName: 'x', secret, properties: ['a'] }],
      });
      expect(store('A', 'Bad_Name')).toThrow(/name/);
      expectValidationError(store('B', `a${'-b'.repeat(30)}`), 'test/B', 'name', /longer than 53 characters/);
    });
    test('secrets', () => {
      const { stack, cloud, cluster } = setup();
      expectValidationError(() => new GcpNamespaceSecretStore(stack, 'S', { cloud, cluster, namespace: 'mlflow', name: 'x', secrets: [] }),
        'test/S', 'secrets', /at least 1 entry/);
    });
    test('secretId', () => {
      const { stack, cloud } = setup();
      expectValidationError(() => GcpNamespaceSecretStore.newSecret(stack, 'Bad', { cloud, secretId: 'a/b', purpose: 'x' }), 'test', 'secretId', /letters, digits/);
    });
  });
});
