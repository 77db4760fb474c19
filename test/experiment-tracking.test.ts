import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { BackupPolicy } from '../lib/backup-policy';
import { ExperimentTracking, MlflowPermission } from '../lib/experiment-tracking';
import {
  expectValidationError, helmRelease, helmValues, leaves, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType,
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
        || (/Key$/.test(leafKey) && value === 'password') // a key inside a Kubernetes secret
        || (typeof value === 'string' && /^\$\{[^}]+\}$/.test(value)); // a Terraform reference
      if (!allowed) {
        throw new Error(`literal password at ${key}: ${JSON.stringify(value)}`);
      }
    }
    expect(resourcesOfType(json, 'aws_db_instance').every((db) => db.password === undefined)).toBe(true);
    expect(resourcesOfType(json, 'random_password')).toEqual([]);
  });

  test('the database password is synced by External Secrets from the RDS-managed secret', () => {
    const sync = helmRelease(json, 'mlflow-db-sync');
    const values = helmValues(sync);
    const secretArn = '${' + refTo(json, 'aws_db_instance', 'test/Tracking/Database/Resource', 'master_user_secret').slice(2, -1) + '[0].secret_arn}';
    expect(Object.values(values)).toContain(secretArn);
    const objects = fs.readFileSync(path.join(dir, sync.chart, 'templates', 'objects.yaml'), 'utf8');
    expect(objects).toContain('"kind": "ExternalSecret"');
    expect(objects).toContain('"name": "mlflow-db"');
    const esoPolicy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Cluster/ExternalSecrets/Identity/Policy').policy);
    expect(esoPolicy.Statement[0]).toEqual({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretArn });
    expect(helmRelease(json, 'external-secrets').chart).toBe('external-secrets');
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
