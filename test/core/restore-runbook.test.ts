import * as fs from 'fs';
import * as path from 'path';
import { buildReferencePlatform } from '../../examples/aws-platform/main';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { SecureBucket } from '../../lib/aws/secure-bucket';
import { DataStoreKind } from '../../lib/core/data-store-registry';
import { Duration } from '../../lib/core/duration';
import { RestoreKind } from '../../lib/core/restore';
import { newApp, newStack, readStackOutput, synthStack } from '../helpers';

/** The examples read settings from the environment: synthesize them with the defaults. */
const ENV_PREFIXES = /^(MLOPS_|EKS_)/;

/** Every `terraform console` look-up in the runbook: `type.name` of the resource it reads. */
function lookedUpResources(runbook: string): string[] {
  return [...runbook.matchAll(/echo '([a-z0-9_]+)\.([A-Za-z0-9_]+)[.[]/g)].map((m) => `${m[1]}.${m[2]}`);
}

describe('restore runbook of the reference platform', () => {
  let runbook: string;
  let json: any;
  let dir: string;
  const saved: { [key: string]: string | undefined } = {};
  beforeAll(() => {
    for (const key of Object.keys(process.env).filter((k) => ENV_PREFIXES.test(k))) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    const app = newApp();
    buildReferencePlatform(app);
    app.synth();
    const out = readStackOutput(app.outdir, 'mlops-platform');
    json = out.json;
    dir = path.join(app.outdir, 'stacks', 'mlops-platform');
    runbook = fs.readFileSync(path.join(dir, 'restore-runbook.md'), 'utf8');
  });
  afterAll(() => Object.assign(process.env, saved));

  test('is written beside the report and cdk.tf.json', () => {
    expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(['cdk.tf.json', 'platform-report.json', 'platform-report.md', 'restore-runbook.md']));
    expect(runbook).toMatch(/^# Restore runbook: mlops-platform\n/);
    expect(runbook).toContain('Brings the platform back in `us-west-2` after losing `us-east-1`. RPO 1 hour, RTO 4 hours.');
  });

  test('shows no raw tokens: names come from terraform console look-ups of resources that exist in the stack', () => {
    expect(runbook).not.toMatch(/TfToken|\$\{Token|\$\{TfToken/i);
    const looked = lookedUpResources(runbook);
    expect(looked.length).toBeGreaterThan(10);
    for (const address of looked) {
      const [type, name] = address.split('.');
      expect(json.resource[type]?.[name]).toBeDefined();
    }
  });

  test('every shell variable a command uses is set in the runbook', () => {
    const used = new Set([...runbook.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) {
      expect(runbook).toMatch(new RegExp(`^\\s*${name}=`, 'm'));
    }
  });

  test('the MLflow database: point-in-time restore from the replicated backups in the DR region, AWS Backup as fallback', () => {
    const replication = Object.keys(json.resource.aws_db_instance_automated_backups_replication)[0];
    expect(runbook).toContain(`MLFLOW_BACKUPS_ARN=$(echo 'aws_db_instance_automated_backups_replication.${replication}.id' | terraform console | tr -d '"')`);
    expect(runbook).toContain('aws rds restore-db-instance-to-point-in-time --region us-west-2 \\\n' +
      '    --source-db-instance-automated-backups-arn "${MLFLOW_BACKUPS_ARN}" --use-latest-restorable-time \\\n' +
      '    --target-db-instance-identifier mlops-prod-mlflow-restored --db-instance-class db.m7g.large --multi-az');
    expect(runbook).toContain('--db-subnet-group-name "${MLFLOW_SUBNET_GROUP}" --vpc-security-group-ids "${MLFLOW_SECURITY_GROUP}"');
    expect(runbook).toContain('aws rds wait db-instance-available --region us-west-2 --db-instance-identifier mlops-prod-mlflow-restored');
    // The fallback names the DR vault of this stack, which cdk.tf.json creates in the DR region.
    const vaults = Object.values(json.resource.aws_backup_vault).map((v: any) => v.name);
    expect(vaults).toContain('mlops-prod-dr');
    expect(runbook).toContain('--backup-vault-name mlops-prod-dr --by-resource-arn "${MLFLOW_SOURCE_ARN}"');
    expect(runbook).toContain('aws backup start-restore-job --region us-west-2');
  });

  test('both buckets restore by re-pointing to their replicas', () => {
    for (const [prefix, purpose] of [['MLFLOW_ARTIFACTS', 'mlflow-artifacts'], ['MODELS', 'models']]) {
      expect(runbook).toMatch(new RegExp(`^${prefix}_REPLICA_BUCKET=\\$\\(echo 'aws_s3_bucket\\.[A-Za-z0-9_]+_Replica_[A-Z0-9]+\\.bucket' \\| terraform console`, 'm'));
      expect(runbook).toContain(`### \`mlops-platform/Platform/${purpose === 'models' ? 'Registry/Models' : 'Tracking/Artifacts'}\` (${purpose}): ` +
        're-point clients to the replica bucket in us-west-2');
      expect(runbook).toContain(`${prefix}_ENDPOINT=$(echo "\${${prefix}_REPLICA_BUCKET}")`);
    }
  });

  test('MLflow is re-pointed through its Helm values, after its role gets its login back', () => {
    const login = runbook.indexOf('aws secretsmanager put-secret-value --region us-west-2 --secret-id "${MLFLOW_NEW_MLFLOW_LOGIN_SECRET}"');
    const host = runbook.indexOf('--set-string backendStore.postgres.host="${MLFLOW_ENDPOINT}" --set-string auth.postgres.host="${MLFLOW_ENDPOINT}"');
    const bucket = runbook.indexOf('--set-string artifactRoot.s3.bucket="${MLFLOW_ARTIFACTS_ENDPOINT}"');
    expect(login).toBeGreaterThan(0);
    expect(host).toBeGreaterThan(login);
    expect(bucket).toBeGreaterThan(0);
    expect(runbook).toContain('helm upgrade mlflow mlflow --repo https://community-charts.github.io/helm-charts --version 1.11.5 -n mlflow --reuse-values --wait');
  });

  test('Velero restores the newest backup from the old bucket, read-only', () => {
    expect(runbook).toMatch(/velero backup-location create lost-region --provider aws --bucket "\$\{KUBERNETES_OBJECTS_OF_MLOPS_PROD_BACKUP_BUCKET\}" --prefix mlops-prod .*--access-mode ReadOnly/);
    expect(runbook).toContain('velero restore create --from-backup "$BACKUP" --exclude-namespaces velero,kube-system --existing-resource-policy none --wait');
  });

  test('the steps are ordered: names, replicas, deploy in the DR region, database, re-pointing, cluster state, DNS', () => {
    const order = [
      '## 0. Record the names', '## 1. Restore the data in `us-west-2`', 'replica bucket in us-west-2', '## 2. Deploy the platform in `us-west-2`',
      'cdktf deploy mlops-platform', '## 3. Restore the data that needs the DR deployment', 'restore-db-instance-to-point-in-time',
      '## 4. Re-point the platform', 'helm upgrade mlflow', '## 5. Restore cluster state', 'velero restore create', '## 6. DNS and clients',
    ].map((s) => runbook.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('says what must already exist in the DR region', () => {
    const section = runbook.slice(runbook.indexOf('## What must already exist in `us-west-2`'), runbook.indexOf('## 0.'));
    expect(section).toContain('The replicated automated backups of RDS instance `mlops-prod-mlflow` in `us-west-2`');
    expect(section).toContain('The DR data KMS key in `us-west-2` (alias `alias/mlops-prod/data`)');
    expect(section).toContain('The AWS Backup vault `mlops-prod-dr` in `us-west-2`');
    expect(section).toContain('The replica of the `mlflow-artifacts` bucket in `us-west-2`');
    expect(section).toContain('The replica of the `models` bucket in `us-west-2`');
    expect(section).toContain("secrets with the database roles' passwords");
    expect(section).toContain('The Velero backup bucket in `us-west-2`');
  });

  test('lists the estimate of every store against the RTO', () => {
    expect(runbook).toContain('| `mlops-platform/Platform/Tracking/Database` | mlflow | RDS cross-region automated backup replication | POINT_IN_TIME | 35 | 240 |');
    expect(runbook).toContain('| `mlops-platform/Platform/Tracking/Artifacts` | mlflow-artifacts | S3 cross-region replication (RTC 15 min) | REPLICA | 15 | 240 |');
    expect(runbook).toContain('| `mlops-platform/Platform/Backups/ClusterState` | Kubernetes objects of mlops-prod | Velero (bucket in us-west-2) | CLUSTER_STATE | 30 | 240 |');
  });

  test('estimates the whole platform back, deploy in the DR region included, phase by phase', () => {
    // The feature store's cache is re-loaded from its offline store after the deploy: 39 min, the longest.
    expect(runbook).toContain('The whole platform is estimated back in 124 min (45 min deploying the platform in the DR region ' +
      '(the 15 min restore of mlflow-artifacts runs beside it) + 39 min restoring feast-online into the DR deployment + ' +
      '10 min re-pointing clients + 30 min re-creating cluster state).');
  });

  test('every role of the database gets its own old password back (no shared variable between roles)', () => {
    for (const role of ['MLFLOW', 'ARGO', 'FEAST']) {
      expect(runbook).toContain(`MLFLOW_OLD_${role}_LOGIN_SECRET=`);
      expect(runbook).toContain(`--secret-id "\${MLFLOW_OLD_${role}_LOGIN_SECRET}"`);
    }
  });
});

describe('restore runbook of any stack', () => {
  test("a new construct's store appears through the registry, its tokens as look-ups", () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    const bucket = new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    // A store a construct outside the library registers, with a token in its look-ups and its commands.
    stack.dataStores.register({
      path: 'test/Cache', kind: DataStoreKind.DATABASE, purpose: 'feature cache', resourceId: 'cache', region: 'us-east-1', backupServiceEligible: false,
    });
    stack.dataStores.protect('test/Cache', {
      mechanism: 'cache snapshots', rpo: Duration.minutes(30), copyRegion: 'us-west-2', copyRpo: Duration.minutes(30), retention: Duration.days(7),
      restore: {
        kind: RestoreKind.SNAPSHOT, summary: 'restore the cache from its snapshot',
        steps: [{ title: 'Restore the cache', lookups: { SOURCE: bucket.bucketArn }, commands: [`cache-restore --from "$SOURCE" --log ${bucket.bucketName}`] }],
        endpointCommand: 'cache-endpoint',
      },
    });
    const { dir } = synthStack(stack);
    const runbook = fs.readFileSync(path.join(dir, 'restore-runbook.md'), 'utf8');
    expect(runbook).toContain('### `test/Cache` (feature cache): restore the cache from its snapshot');
    expect(runbook).toMatch(/^FEATURE_CACHE_SOURCE=\$\(echo 'aws_s3_bucket\.Datasets_[A-Z0-9]+\.arn' \| terraform console \| tr -d '"'\)$/m);
    expect(runbook).toMatch(/cache-restore --from "\$\{FEATURE_CACHE_SOURCE\}" --log \$\(echo 'aws_s3_bucket\.Datasets_[A-Z0-9]+\.bucket' \| terraform console/);
    expect(runbook).toContain('FEATURE_CACHE_ENDPOINT=$(cache-endpoint)');
    expect(runbook).toContain('### `test/Datasets` (datasets): re-point clients to the replica bucket in us-west-2');
    expect(runbook).not.toMatch(/TfToken/i);
  });

  test('two clients of a store naming different things alike fail synth instead of writing a wrong runbook', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    const bucket = new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    for (const [name, secret] of [['A', 'secret-a'], ['B', 'secret-b']]) {
      stack.dataStores.addClient(bucket.node.path, { name, repoint: { title: `Re-point ${name}`, lookups: { SECRET: secret }, commands: ['use "$SECRET"'] } });
    }
    expect(() => synthStack(stack)).toThrow(/shell variable DATASETS_SECRET would mean both 'secret-a' and 'secret-b'/);
  });
});
