import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { RedisCache } from '../lib/aws/redis-cache';
import { BackupPolicy } from '../lib/backup-policy';
import { FeatureStore, FeatureStoreProps } from '../lib/feature-store';
import {
  expectValidationError, helmRelease, helmValues, leaves, manifestObjects, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType,
} from './helpers';

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
const envOf = (list: any[]) => Object.fromEntries(list.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('FeatureStore with an ElastiCache online store', () => {
  let json: any;
  let report: any;
  let dir: string;
  let runbook: string;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const database = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'platform', databaseName: 'mlflow', clients: cluster });
    const cache = new RedisCache(stack, 'OnlineStore', { cloud, clients: cluster, purpose: 'feast-online' });
    new FeatureStore(stack, 'Features', { cluster, cloud, database, onlineStore: cache });
    new BackupPolicy(stack, 'Backups', { cloud, cluster });
    app.synth();
    ({ json, report, dir } = readStackOutput(app.outdir, 'test'));
    runbook = fs.readFileSync(path.join(dir, 'restore-runbook.md'), 'utf8');
  });

  const release = () => helmRelease(json, 'feast-feature-server');

  test('the pinned feast-feature-server chart 0.66.0 in its own restricted namespace, after its prerequisites', () => {
    expect(release()).toMatchObject({
      chart: 'feast-feature-server', version: '0.66.0', repository: 'https://feast-helm-charts.storage.googleapis.com', atomic: true,
    });
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Features/Namespace/Resource');
    expect(ns.metadata.name).toBe('feast');
    expect(ns.metadata.labels).toMatchObject({ 'cost-center': 'cc-4512', 'pod-security.kubernetes.io/enforce': 'restricted' });
    const deps: string[] = release().depends_on;
    expect(deps).toEqual(expect.arrayContaining([
      expect.stringMatching(/^helm_release\.Features_Jobs/), expect.stringMatching(/^helm_release\.Features_DatabaseRole_Bootstrap/),
      expect.stringMatching(/^helm_release\.Features_OnlineStoreCredentials_Chart/), expect.stringMatching(/^helm_release\.OnlineStore_AuthJob/),
      expect.stringMatching(/^aws_eks_pod_identity_association\.Features_Identity_Association/),
    ]));
  });

  test('feature_store.yaml: SQL registry on its own database, Redis over TLS, file offline store; passwords are environment variables', () => {
    const values = helmValues(release());
    expect(values).toMatchObject({ feast_mode: 'online', replicaCount: 2, serviceAccount: { name: 'feast' } });
    const yaml = decode(values.feature_store_yaml_base64);
    expect(yaml).toContain('project: platform\nprovider: local\n');
    expect(yaml).toContain('  registry_type: sql\n  path: postgresql+psycopg://feast:$FEAST_REGISTRY_PASSWORD@$FEAST_DB_HOST:5432/feast_registry?sslmode=require\n');
    expect(yaml).toContain('online_store:\n  type: redis\n  redis_type: redis\n  connection_string: $FEAST_ONLINE_HOST:6379,ssl=true,password=$FEAST_ONLINE_PASSWORD\n');
    expect(yaml).toContain('offline_store:\n  type: file\n');
    // `${` would be a Terraform interpolation; Feast expands `$NAME` as well.
    expect(yaml).not.toContain('${');
  });

  test('hosts come from the resources, passwords from the synced secrets: none in Terraform or Helm values', () => {
    const env = envOf(helmValues(release()).extraEnvs);
    expect(env).toMatchObject({
      FEAST_DB_HOST: refTo(json, 'aws_db_instance', 'test/Db/Resource', 'address'),
      FEAST_REGISTRY_PASSWORD: { secretKeyRef: { name: 'feast-db', key: 'password' } },
      FEAST_ONLINE_HOST: refTo(json, 'aws_elasticache_replication_group', 'test/OnlineStore/Resource', 'primary_endpoint_address'),
      FEAST_ONLINE_PASSWORD: { secretKeyRef: { name: 'feast-online', key: 'token' } },
      AWS_DEFAULT_REGION: 'us-east-1', HOME: '/tmp',
    });
    for (const r of resourcesOfType(json, 'helm_release')) {
      for (const [key, value] of leaves((r.values ?? []).map((v: string) => JSON.parse(v)))) {
        if (/password|token/i.test(key.split('.').pop()!)) {
          expect([key, value]).toEqual([key, expect.stringMatching(/^(\$\{[^}]+\}|password|token|[a-z-]+)$/)]);
        }
      }
    }
    expect(resourceAt(json, 'aws_elasticache_replication_group', 'test/OnlineStore/Resource').auth_token).toBeUndefined();
  });

  test('every pod satisfies Pod Security restricted and has resources', () => {
    const values = helmValues(release());
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(values.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } });
    expect(values.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    const objects = manifestObjects(dir, helmRelease(json, 'feast-jobs'));
    const cronJobs = objects.filter((o) => o.kind === 'CronJob');
    expect(cronJobs.map((c) => [c.metadata.name, c.spec.schedule, c.spec.suspend])).toEqual([
      ['feast-materialize', '0 * * * *', false], ['feast-rematerialize', '0 0 1 1 *', true],
    ]);
    for (const cron of cronJobs) {
      const pod = cron.spec.jobTemplate.spec.template.spec;
      expect(pod.serviceAccountName).toBe('feast');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(pod.containers[0].resources.limits.memory).toBe('4Gi');
      expect(cron.spec.jobTemplate.spec.template.metadata.labels).toMatchObject({ 'cost-center': 'cc-4512' });
      const env = envOf(pod.containers[0].env);
      expect(decode(env.FEATURE_STORE_YAML_BASE64)).toBe(decode(values.feature_store_yaml_base64));
      expect(env.FEAST_ONLINE_PASSWORD).toEqual({ secretKeyRef: { name: 'feast-online', key: 'token' } });
    }
    expect(cronJobs[0].spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain('feast materialize-incremental');
    expect(cronJobs[1].spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain("date -u -d '-30 days'");
    expect(objects.find((o) => o.kind === 'ServiceAccount').metadata).toEqual({
      name: 'feast', namespace: refTo(json, 'kubernetes_namespace_v1', 'test/Features/Namespace/Resource', 'metadata').slice(0, -1) + '[0].name}',
    });
  });

  test('its own database role "feast" owning feast_registry, never the master user', () => {
    const bootstrap = manifestObjects(dir, helmRelease(json, 'feast-role-bootstrap'))[0];
    const env = envOf(bootstrap.spec.template.spec.containers[0].env);
    expect(env).toMatchObject({ APP_ROLE: 'feast', APP_DATABASES: 'feast_registry' });
  });

  test('the offline store is a bucket the server reads through workload identity (no keys)', () => {
    const association = resourceAt(json, 'aws_eks_pod_identity_association', 'test/Features/Identity/Association');
    expect(association.service_account).toBe('feast');
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Features/Identity/Policy').policy);
    const actions = policy.Statement.flatMap((s: any) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 'kms:Decrypt']));
    expect(actions).not.toContain('s3:PutObject');
    expect(JSON.stringify(policy)).toContain(refTo(json, 'aws_s3_bucket', 'test/Features/OfflineStore/Resource', 'arn').slice(0, -1));
    expect(resourcesOfType(json, 'aws_iam_access_key')).toEqual([]);
  });

  test('the DR proof covers the cache: re-materialized from the offline store\'s copy in the DR region, within the RTO', () => {
    expect(report.status).not.toBe('failed');
    const cache = report.dataStores.find((s: any) => s.path === 'test/OnlineStore');
    expect(cache.protections).toEqual(expect.arrayContaining([expect.objectContaining({
      mechanism: 're-materialized from the offline store (S3 cross-region replication (RTC 15 min))', copyRegion: 'us-west-2', copyRpoMinutes: 15,
    })]));
    expect(cache.restore).toMatchObject({ kind: 'SNAPSHOT', withinRto: true, estimatedMinutes: 39 });
    // The re-load runs with the clients, after Feast is re-pointed at the restored registry.
    const repoint = runbook.indexOf('kubectl -n feast set env deployment/feast-feature-server FEAST_DB_HOST=');
    const reload = runbook.indexOf('kubectl -n feast create job feast-rematerialize-dr --from=cronjob/feast-rematerialize');
    expect(repoint).toBeGreaterThan(0);
    expect(reload).toBeGreaterThan(repoint);
    expect(runbook).toContain('kubectl -n feast wait --for=condition=complete --timeout=6h job/feast-rematerialize-dr');
  });

  test('the report lists the component and how to register features', () => {
    const component = report.components.find((c: any) => c.name === 'FeatureStore');
    expect(component.description).toMatch(/Feast feature server 0\.66\.0 .*ElastiCache for Valkey 8\.0, cache\.r7g\.large x2/);
    const step = report.deploymentSteps.find((s: any) => /Register features/.test(s.title));
    expect(step.command).toContain('feast apply');
    expect(report.policy.errors).toBe(0);
  });
});

describe('FeatureStore without a cache', () => {
  test('the online store is PostgreSQL, in a database feast_online the same role owns', () => {
    const app = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'pg'));
    const database = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'platform', databaseName: 'mlflow', clients: cluster });
    const offline = cloud.newObjectStore(stack, 'Lake', { purpose: 'lake' });
    const features = new FeatureStore(stack, 'Features', {
      cluster, cloud, database, offlineStore: offline, namespace: 'features', project: 'fraud_features', replicas: 1,
      materializeSchedule: '*/15 * * * *', rematerializeDays: 90,
    });
    new BackupPolicy(stack, 'Backups', { cloud });
    app.synth();
    const { json, dir } = readStackOutput(app.outdir, 'pg');
    expect(features.offlineStore).toBe(offline);
    expect(resourcesOfType(json, 'aws_s3_bucket').some((b) => /feast-offline/.test(JSON.stringify(b)))).toBe(false);
    const values = helmValues(helmRelease(json, 'feast-feature-server'));
    expect(values.replicaCount).toBe(1);
    const yaml = decode(values.feature_store_yaml_base64);
    expect(yaml).toContain('project: fraud_features\n');
    expect(yaml).toContain('online_store:\n  type: postgres\n  host: $FEAST_DB_HOST\n  port: 5432\n  database: feast_online\n  user: feast\n' +
      '  password: $FEAST_REGISTRY_PASSWORD\n  sslmode: require\n');
    expect(envOf(values.extraEnvs).FEAST_ONLINE_PASSWORD).toBeUndefined();
    const bootstrap = manifestObjects(dir, helmRelease(json, 'feast-role-bootstrap'))[0];
    expect(envOf(bootstrap.spec.template.spec.containers[0].env).APP_DATABASES).toBe('feast_registry feast_online');
    const cron = manifestObjects(dir, helmRelease(json, 'feast-jobs')).filter((o) => o.kind === 'CronJob');
    expect(cron[0].spec.schedule).toBe('*/15 * * * *');
    expect(cron[1].spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain("-90 days");
    expect(helmRelease(json, 'feast-feature-server').namespace).toMatch(/kubernetes_namespace_v1\.Features_Namespace/);
  });
});

describe('FeatureStore validation', () => {
  const build = (overrides: Partial<FeatureStoreProps>, id = 'Features') => {
    const { stack, cloud, cluster } = newPlatform(newStack());
    const database = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'platform', databaseName: 'mlflow', clients: cluster });
    return () => new FeatureStore(stack, id, { cluster, cloud, database, ...overrides });
  };

  test.each([
    ['namespace', { namespace: 'mlflow' }, /is a namespace the library or Kubernetes already uses/],
    ['namespace', { namespace: 'Feast!' }, /namespace/],
    ['project', { project: '_hidden' }, /letters, digits and "_"/],
    ['replicas', { replicas: 0 }, /1/],
    ['materializeSchedule', { materializeSchedule: 'hourly' }, /a five-field cron expression/],
    ['rematerializeDays', { rematerializeDays: 0 }, /1/],
    ['offlineBucketName', { offlineBucketName: 'Not_A_Bucket' }, /.+/],
    ['onlineStore', { onlineStore: {} as any }, /a key-value cache/],
  ] as Array<[string, Partial<FeatureStoreProps>, RegExp]>)('%s is checked (%j)', (prop, overrides, message) => {
    expectValidationError(build(overrides), 'test/Features', prop, message);
  });

  test('offlineBucketName together with offlineStore is an error', () => {
    const { stack, cloud, cluster } = newPlatform(newStack());
    const database = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'platform', databaseName: 'mlflow', clients: cluster });
    const offlineStore = cloud.newObjectStore(stack, 'Lake', { purpose: 'lake' });
    expectValidationError(() => new FeatureStore(stack, 'Features', { cluster, cloud, database, offlineStore, offlineBucketName: 'acme-features' }),
      'test/Features', 'offlineBucketName', /cannot be set together with offlineStore/);
  });

  test('database is required, and two feature stores cannot share a namespace', () => {
    const { stack, cloud, cluster } = newPlatform(newStack());
    expectValidationError(() => new FeatureStore(stack, 'Features', { cluster, cloud, database: undefined as any }), 'test/Features', 'database', /PostgreSQL/);
    const database = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'platform', databaseName: 'mlflow', clients: cluster });
    new FeatureStore(stack, 'One', { cluster, cloud, database });
    expectValidationError(() => new FeatureStore(stack, 'Two', { cluster, cloud, database }), 'test/Two', 'namespace', /already used/);
  });
});
