import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { BackupPolicy } from '../lib/backup-policy';
import { ExperimentTracking, MlflowPermission, inClusterHosts } from '../lib/experiment-tracking';
import {
  addressOf, expectValidationError, helmRelease, helmValues, leaves, manifestObjects, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType,
} from './helpers';

describe('ExperimentTracking', () => {
  let json: any;
  let report: any;
  let dir: string;
  let custom: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    new ExperimentTracking(stack, 'Tracking', { cluster, cloud });
    new BackupPolicy(stack, 'Backups', { cloud });
    const other = newPlatform(newStack({}, app, 'custom'));
    new ExperimentTracking(other.stack, 'Tracking', {
      cluster: other.cluster, cloud: other.cloud, namespace: 'ml', replicas: 1, defaultPermission: MlflowPermission.EDIT,
      databaseInstanceClass: 'db.t4g.medium', artifactBucketName: 'acme-mlflow-artifacts',
    });
    new BackupPolicy(other.stack, 'Backups', { cloud: other.cloud });
    app.synth();
    ({ json, report, dir } = readStackOutput(app.outdir, 'test'));
    custom = readStackOutput(app.outdir, 'custom').json;
  });

  const release = () => helmRelease(json, 'mlflow');

  test('the community mlflow chart 1.11.5, atomic, in its namespace', () => {
    expect(release()).toMatchObject({
      chart: 'mlflow', version: '1.11.5', repository: 'https://community-charts.github.io/helm-charts', atomic: true, wait: true,
      namespace: '${' + refTo(json, 'kubernetes_namespace_v1', 'test/Tracking/Namespace/Resource', 'metadata').slice(2, -1) + '[0].name}',
    });
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Tracking/Namespace/Resource');
    expect(ns.metadata.name).toBe('mlflow');
    expect(ns.metadata.labels).toMatchObject({ 'cost-center': 'cc-4512', 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  test('auth on, backend store from an existing secret, bundled databases off', () => {
    const values = helmValues(release());
    expect(values.auth).toMatchObject({
      enabled: true, defaultPermission: 'READ',
      existingAdminSecret: { name: 'mlflow-admin', usernameKey: 'username', passwordKey: 'password' },
    });
    expect(values.backendStore.existingDatabaseSecret).toEqual({ name: 'mlflow-db', usernameKey: 'username', passwordKey: 'password' });
    expect(values.backendStore.postgres).toEqual({
      enabled: true, host: refTo(json, 'aws_db_instance', 'test/Tracking/Database/Resource', 'address'), port: 5432, database: 'mlflow',
    });
    expect(values.auth.postgres.existingSecret).toEqual(values.backendStore.existingDatabaseSecret);
    expect(values).toMatchObject({ postgresql: { enabled: false }, mysql: { enabled: false }, minio: { enabled: false }, replicaCount: 2 });
    expect(values.extraEnvVars).toEqual({ AWS_DEFAULT_REGION: 'us-east-1', PGSSLMODE: 'require' });
    expect(values.extraPodLabels).toEqual({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' });
  });

  test('no literal password anywhere in the synthesized JSON or Helm values', () => {
    const all = [...leaves(json), ...resourcesOfType(json, 'helm_release').flatMap((r) => leaves(r.values.map((v: string) => JSON.parse(v))))];
    const passwordLeaves = all.filter(([key]) => /password/i.test(key.split('.').pop()!.replace(/\[\d+\]$/, '')));
    expect(passwordLeaves.length).toBeGreaterThan(0);
    for (const [key, value] of passwordLeaves) {
      const leafKey = key.split('.').pop()!;
      const allowed = (leafKey === 'manage_master_user_password' && value === true)
        || (leafKey === 'password_length' && typeof value === 'number') // the ephemeral generator's settings, not a password
        || (/Key$/.test(leafKey) && value === 'password') // a key inside a Kubernetes secret
        || (typeof value === 'string' && /^\$\{[^}]+\}$/.test(value)); // a Terraform reference
      if (!allowed) {
        throw new Error(`literal password at ${key}: ${JSON.stringify(value)}`);
      }
    }
    expect(resourcesOfType(json, 'aws_db_instance').every((db) => db.password === undefined)).toBe(true);
    expect(resourcesOfType(json, 'random_password')).toEqual([]);
    expect(resourcesOfType(json, 'aws_secretsmanager_secret_version').every((v) => v.secret_string === undefined)).toBe(true);
    // Nor in the objects the library installs: passwords come from secrets or from templates rendered in the cluster.
    for (const chart of resourcesOfType(json, 'helm_release').filter((r) => r.chart.startsWith('./assets/'))) {
      for (const [key, value] of leaves(manifestObjects(dir, chart))) {
        if (/password/i.test(key.split('.').pop()!) && typeof value === 'string') {
          expect([`${key}=${value}`]).toEqual([expect.stringMatching(/=(password|\{\{ \.password \}\}|\$\{[^}]+\})$/)]);
        }
      }
    }
  });

  test('MLflow logs in as its own role "mlflow", owning the mlflow and mlflow_auth databases, never as the RDS master user', () => {
    const values = helmValues(release());
    expect(values.backendStore.postgres.database).toBe('mlflow');
    expect(values.auth.postgres).toMatchObject({ database: 'mlflow_auth', existingSecret: { name: 'mlflow-db', usernameKey: 'username', passwordKey: 'password' } });
    const bootstrap = helmRelease(json, 'mlflow-role-bootstrap');
    expect(bootstrap).toMatchObject({ namespace: 'db-admin', wait_for_jobs: true });
    const [job] = manifestObjects(dir, bootstrap);
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({ APP_ROLE: 'mlflow', APP_DATABASES: 'mlflow mlflow_auth' });
    // The role's own secret, not the RDS-managed master secret (which rotates every 7 days under running pods).
    const store = helmRelease(json, 'mlflow-db-store');
    const objects = manifestObjects(dir, store);
    const sync = objects.find((o) => o.kind === 'ExternalSecret');
    expect(sync.metadata).toEqual({ name: 'mlflow-db', namespace: release().namespace });
    expect(sync.spec.data.map((d: any) => d.remoteRef.key)).toEqual([
      refTo(json, 'aws_secretsmanager_secret', 'test/Tracking/DatabaseRole/Secret', 'arn'), refTo(json, 'aws_secretsmanager_secret', 'test/Tracking/DatabaseRole/Secret', 'arn'),
    ]);
    expect(JSON.stringify(objects)).not.toContain('master_user_secret');
    expect(JSON.stringify(values)).not.toContain('master_user_secret');
    expect(JSON.stringify(values)).not.toContain('mlops_admin');
  });

  test('the release waits for the role, the synced credentials and its Pod Identity association and policy', () => {
    expect(release().depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'helm_release', 'test/Tracking/DatabaseRole/Bootstrap/Resource'),
      addressOf(json, 'helm_release', 'test/Tracking/DatabaseRole/AppSecrets/Chart/Resource'),
      addressOf(json, 'aws_eks_pod_identity_association', 'test/Tracking/Identity/Association'),
      addressOf(json, 'aws_iam_role_policy', 'test/Tracking/Identity/Policy'),
    ]));
  });

  test('pods satisfy the namespace\'s Pod Security "restricted": RuntimeDefault seccomp on the pod and the containers', () => {
    const values = helmValues(release());
    expect(values.podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('the server allows its published in-cluster host names (with and without a port) and a local port-forward', () => {
    const hosts: string[] = helmValues(release()).serverAllowedHosts;
    const ns = release().namespace;
    expect(hosts).toEqual(inClusterHosts('mlflow', ns));
    for (const host of [`mlflow.${ns}.svc.cluster.local`, `mlflow.${ns}.svc.cluster.local:*`, 'mlflow', 'mlflow:*', `mlflow.${ns}`, 'localhost:*', '127.0.0.1:*']) {
      expect(hosts).toContain(host);
    }
    // The URL the library publishes is one of them.
    expect(hosts).toContain(`mlflow.${ns}.svc.cluster.local`);
  });

  test('the External Secrets controller has no cloud identity, processes no cluster-wide stores and grants nothing through edit/admin', () => {
    const eso = helmRelease(json, 'external-secrets');
    const values = helmValues(eso);
    expect(values).toMatchObject({
      processClusterStore: false, processClusterExternalSecret: false, processClusterPushSecret: false,
      rbac: { aggregateToEdit: false, aggregateToAdmin: false },
    });
    expect(resourcesOfType(json, 'aws_eks_pod_identity_association').map((a) => a.namespace)).not.toContain('external-secrets');
    expect(resourcesOfType(json, 'aws_iam_role').filter((r) => r['//'].metadata.path.includes('ExternalSecrets/'))).toEqual([]);
  });

  test('each secret store assumes a role of its own through the cluster\'s OIDC provider, only from its namespace\'s service account', () => {
    const issuer = '${replace(' + refTo(json, 'aws_eks_cluster', 'test/Cluster/Resource', 'identity').slice(2, -1) + '[0].oidc[0].issuer, "https://", "")}';
    for (const [store, namespace, serviceAccount] of [['AppSecrets', release().namespace, 'mlflow-db-store'], ['AdminSecrets', 'db-admin', 'fraud-prod-mlflow-mlflow']]) {
      // The issuer is a Terraform expression with quotes of its own: Terraform interpolates it before IAM parses the JSON.
      const raw: string = resourceAt(json, 'aws_iam_role', `test/Tracking/DatabaseRole/${store}/Role`).assume_role_policy;
      expect(raw.split(issuer)).toHaveLength(3);
      const trust = JSON.parse(raw.split(issuer).join('ISSUER'));
      expect(trust.Statement).toEqual([{
        Effect: 'Allow',
        Principal: { Federated: refTo(json, 'aws_iam_openid_connect_provider', 'test/Cluster/OidcProvider', 'arn') },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'ISSUER:sub': `system:serviceaccount:${namespace}:${serviceAccount}`, 'ISSUER:aud': 'sts.amazonaws.com' } },
      }]);
    }
    const appStore = manifestObjects(dir, helmRelease(json, 'mlflow-db-store'));
    expect(appStore.find((o) => o.kind === 'ServiceAccount')).toMatchObject({
      metadata: { name: 'mlflow-db-store', annotations: { 'eks.amazonaws.com/role-arn': refTo(json, 'aws_iam_role', 'test/Tracking/DatabaseRole/AppSecrets/Role', 'arn') } },
    });
    expect(appStore.find((o) => o.kind === 'SecretStore').spec.provider.aws).toEqual({
      service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'mlflow-db-store' } } },
    });
  });

  test('the report tells the operator how to reach MLflow and read the admin password, with no unresolved token', () => {
    const step = report.deploymentSteps.find((s: any) => s.title === 'Sign in to MLflow in mlflow');
    expect(step).toMatchObject({ phase: 'AFTER_DEPLOY', command: "kubectl -n mlflow port-forward svc/mlflow 5000:80\nkubectl -n mlflow get secret mlflow-admin -o jsonpath='{.data.password}' | base64 -d" });
    expect(step.detail).toContain('http://mlflow.mlflow.svc.cluster.local');
    expect(JSON.stringify(report)).not.toMatch(/TfToken|\$\{Token/);
  });

  test('the admin password is generated in the cluster', () => {
    const admin = helmRelease(json, 'mlflow-admin-secret');
    const objects = fs.readFileSync(path.join(dir, admin.chart, 'templates', 'objects.yaml'), 'utf8');
    expect(objects).toContain('"kind": "Password"');
    expect(objects).toContain('"length": 32');
    expect(release().depends_on).toContainEqual(expect.stringMatching(/^helm_release\.Tracking_AdminSecret_/));
  });

  test('artifacts go to the S3 bucket through the pod identity of the mlflow service account', () => {
    const values = helmValues(release());
    const bucket = refTo(json, 'aws_s3_bucket', 'test/Tracking/Artifacts/Resource', 'bucket');
    expect(values.artifactRoot).toEqual({ proxiedArtifactStorage: true, s3: { enabled: true, bucket, path: 'artifacts' } });
    expect(values.serviceAccount).toEqual({ create: true, name: 'mlflow' });
    const association = resourceAt(json, 'aws_eks_pod_identity_association', 'test/Tracking/Identity/Association');
    expect(association.service_account).toBe(values.serviceAccount.name);
    expect(association.namespace).toBe(release().namespace);
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Tracking/Identity/Policy').policy);
    expect(policy.Statement[1].Action).toContain('s3:PutObject');
    expect(policy.Statement[1].Resource).toBe(`${refTo(json, 'aws_s3_bucket', 'test/Tracking/Artifacts/Resource', 'arn')}/*`);
  });

  test('both stores are registered and protected; the report lists the component', () => {
    expect(report.dataStores.map((s: any) => [s.path, s.kind, s.purpose])).toEqual([
      ['test/Tracking/Database', 'DATABASE', 'mlflow'], ['test/Tracking/Artifacts', 'OBJECT_STORE', 'mlflow-artifacts'],
    ]);
    expect(report.components).toContainEqual({
      path: 'test/Tracking', name: 'ExperimentTracking', description: 'MLflow 3.15.1 (chart mlflow 1.11.5), 2 replicas, auth on',
    });
  });

  test('options reach the chart, the database and the bucket', () => {
    const values = helmValues(helmRelease(custom, 'mlflow'));
    expect(values.replicaCount).toBe(1);
    expect(values.auth.defaultPermission).toBe('EDIT');
    expect(resourceAt(custom, 'kubernetes_namespace_v1', 'custom/Tracking/Namespace/Resource').metadata.name).toBe('ml');
    expect(resourceAt(custom, 'aws_db_instance', 'custom/Tracking/Database/Resource').instance_class).toBe('db.t4g.medium');
    expect(resourceAt(custom, 'aws_s3_bucket', 'custom/Tracking/Artifacts/Resource').bucket).toBe('acme-mlflow-artifacts');
  });
});

describe('ExperimentTracking validation', () => {
  test.each([0, 21, 1.5, -1])('replicas %p is rejected', (replicas) => {
    const { stack, cloud, cluster } = newPlatform();
    expectValidationError(() => new ExperimentTracking(stack, 'Tracking', { cluster, cloud, replicas }), 'test/Tracking', 'replicas',
      new RegExp(`must be a whole number from 1 to 20 \\(got ${replicas}\\)`));
  });

  test('a bad namespace is rejected naming the namespace prop', () => {
    const { stack, cloud, cluster } = newPlatform();
    expectValidationError(() => new ExperimentTracking(stack, 'Tracking', { cluster, cloud, namespace: 'ML_Flow' }), 'test/Tracking', 'namespace',
      /is not valid: a Kubernetes namespace name/);
  });

  test.each(['velero', 'gpu-operator', 'external-secrets', 'kube-system'])('namespace %p, which something else owns, is rejected', (namespace) => {
    const { stack, cloud, cluster } = newPlatform();
    expectValidationError(() => new ExperimentTracking(stack, 'Tracking', { cluster, cloud, namespace }), 'test/Tracking', 'namespace',
      /is a namespace the library or Kubernetes already uses/);
  });
});
