import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { PostgresDatabase } from '../../lib/aws/postgres-database';
import { BackupPolicy } from '../../lib/backup-policy';
import { Duration } from '../../lib/core/duration';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import {
  addressOf, expectValidationError, helmRelease, leaves, manifestObjects, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType, synthStack,
} from '../helpers';

describe('PostgresDatabase', () => {
  let json: any;
  let report: any;
  let shortRetention: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    new BackupPolicy(stack, 'Backups', { cloud });
    const db = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'features', databaseName: 'features', clients: cluster });
    expect(db.port).toBe(5432);
    expect(db.username).toBe('mlops_admin');
    expect(db.databaseName).toBe('features');
    const short = newPlatform(newStack({
      recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(1), rto: Duration.hours(4), drRegion: 'us-west-2', retention: Duration.days(3) }),
    }, app, 'short'));
    new BackupPolicy(short.stack, 'Backups', { cloud: short.cloud });
    new PostgresDatabase(short.stack, 'Db', {
      cloud: short.cloud, purpose: 'features', databaseName: 'features', clients: short.cluster, engineVersion: '16.4', allocatedStorageGiB: 600,
    });
    app.synth();
    ({ json, report } = readStackOutput(app.outdir, 'test'));
    shortRetention = readStackOutput(app.outdir, 'short').json;
  });

  const instance = () => resourceAt(json, 'aws_db_instance', 'test/Db/Resource');
  const dataKey = () => refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn');

  test('every setting from the doc comment', () => {
    expect(instance()).toMatchObject({
      identifier: 'fraud-prod-features', engine: 'postgres', engine_version: '17', instance_class: 'db.m7g.large',
      allocated_storage: 50, max_allocated_storage: 500, storage_type: 'gp3',
      multi_az: true,
      storage_encrypted: true,
      kms_key_id: dataKey(),
      deletion_protection: true,
      skip_final_snapshot: false,
      backup_retention_period: 35,
      delete_automated_backups: false,
      monitoring_interval: 60,
      monitoring_role_arn: refTo(json, 'aws_iam_role', 'test/Db/MonitoringRole', 'arn'),
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
      iam_database_authentication_enabled: true,
      performance_insights_enabled: true,
      performance_insights_kms_key_id: dataKey(),
      manage_master_user_password: true,
      master_user_secret_kms_key_id: dataKey(),
      copy_tags_to_snapshot: true,
      publicly_accessible: false,
      db_name: 'features', username: 'mlops_admin',
      parameter_group_name: refTo(json, 'aws_db_parameter_group', 'test/Db/Parameters', 'name'),
      db_subnet_group_name: refTo(json, 'aws_db_subnet_group', 'test/Db/Subnets', 'name'),
      vpc_security_group_ids: [refTo(json, 'aws_security_group', 'test/Db/SecurityGroup', 'id')],
      tags: { purpose: 'features' },
    });
    expect(instance().backup_retention_period).toBeGreaterThanOrEqual(7);
  });

  test('the final snapshot is stamped with the creation time and then ignored, so a re-created instance never collides with it', () => {
    expect(instance().final_snapshot_identifier).toBe('fraud-prod-features-final-${formatdate("YYYYMMDDhhmmss", timestamp())}');
    expect(instance().lifecycle).toEqual({ ignore_changes: ['final_snapshot_identifier'] });
  });

  test('the instance waits for the monitoring role\'s policy attachment (else "IAM role ARN value is invalid")', () => {
    expect(instance().depends_on).toContain(addressOf(json, 'aws_iam_role_policy_attachment', 'test/Db/MonitoringPolicy'));
  });

  test('Terraform never holds the master password', () => {
    const db = instance();
    expect(db.password).toBeUndefined();
    expect(Object.keys(db).filter((k) => /password/i.test(k))).toEqual(['manage_master_user_password']);
    expect(resourcesOfType(json, 'random_password')).toEqual([]);
  });

  test('TLS is forced by the parameter group', () => {
    const params = resourceAt(json, 'aws_db_parameter_group', 'test/Db/Parameters');
    expect(params.family).toBe('postgres17');
    expect(params.parameter).toContainEqual({ name: 'rds.force_ssl', value: '1' });
    expect(resourceAt(shortRetention, 'aws_db_parameter_group', 'short/Db/Parameters').family).toBe('postgres16');
  });

  test('ingress only from the cluster security group on 5432', () => {
    const sg = resourceAt(json, 'aws_security_group', 'test/Db/SecurityGroup');
    expect(sg.ingress).toBeUndefined();
    expect(sg.vpc_id).toBe(refTo(json, 'aws_db_subnet_group', 'test/Db/Subnets', 'vpc_id'));
    const rules = resourcesOfType(json, 'aws_vpc_security_group_ingress_rule');
    expect(rules).toEqual([expect.objectContaining({
      security_group_id: refTo(json, 'aws_security_group', 'test/Db/SecurityGroup', 'id'),
      referenced_security_group_id: '${' + refTo(json, 'aws_eks_cluster', 'test/Cluster/Resource', 'vpc_config').slice(2, -1) + '[0].cluster_security_group_id}',
      ip_protocol: 'tcp', from_port: 5432, to_port: 5432,
    })]);
    expect(rules[0].cidr_ipv4).toBeUndefined();
    expect(rules[0].cidr_ipv6).toBeUndefined();
    expect(resourcesOfType(json, 'aws_security_group_rule')).toEqual([]);
    expect(resourceAt(json, 'aws_db_subnet_group', 'test/Db/Subnets').subnet_ids)
      .toEqual([1, 2, 3].map((i) => refTo(json, 'aws_subnet', `test/Network/PrivateSubnet${i}`, 'id')));
  });

  test('log groups exist, encrypted, before the instance exports to them; monitoring role has the RDS policy', () => {
    for (const type of ['postgresql', 'upgrade']) {
      const id = `Logs${type[0].toUpperCase()}${type.slice(1)}`;
      const group = resourceAt(json, 'aws_cloudwatch_log_group', `test/Db/${id}`);
      expect(group).toMatchObject({ name: `/aws/rds/instance/fraud-prod-features/${type}`, retention_in_days: 365 });
      expect(group.kms_key_id).toBe(refTo(json, 'aws_kms_key', 'test/Aws/PrimaryLogsKey/Resource', 'arn'));
      expect(instance().depends_on).toContainEqual(expect.stringMatching(new RegExp(`^aws_cloudwatch_log_group\\.Db_${id}_`)));
    }
    expect(resourceAt(json, 'aws_iam_role_policy_attachment', 'test/Db/MonitoringPolicy').policy_arn)
      .toMatch(/:iam::aws:policy\/service-role\/AmazonRDSEnhancedMonitoringRole$/);
  });

  test('backup retention follows the recovery objective, at least 7 days', () => {
    const db = resourceAt(shortRetention, 'aws_db_instance', 'short/Db/Resource');
    expect(db.backup_retention_period).toBe(7);
    expect(db).toMatchObject({ engine_version: '16.4', allocated_storage: 600, max_allocated_storage: 600 });
  });

  test('the database is registered with point-in-time recovery, its replication to the DR region and AWS Backup', () => {
    expect(report.dataStores).toEqual([{
      path: 'test/Db', kind: 'DATABASE', purpose: 'features', region: 'us-east-1',
      protections: [
        { mechanism: 'RDS automated backups (point-in-time recovery)', rpoMinutes: 5, copyRegion: 'us-east-1', copyRpoMinutes: 5, retentionDays: 35 },
        { mechanism: 'RDS cross-region automated backup replication', rpoMinutes: 5, copyRegion: 'us-west-2', copyRpoMinutes: 15, retentionDays: 35 },
        { mechanism: 'AWS Backup', rpoMinutes: 28 * 60, copyRegion: 'us-west-2', copyRpoMinutes: 30 * 60, retentionDays: 35 },
      ],
      // The fastest restore from the DR region: point-in-time from the replicated backups, 30 min + 50 GiB x 0.1 min/GiB.
      restore: expect.objectContaining({
        mechanism: 'RDS cross-region automated backup replication', kind: 'POINT_IN_TIME', estimatedMinutes: 35, rtoMinutes: 240, withinRto: true,
      }),
    }]);
  });

  test('an RPO shorter than the backup copies replicates the automated backups to the DR region with the DR data key', () => {
    expect(resourceAt(json, 'aws_db_instance_automated_backups_replication', 'test/Db/BackupReplication')).toMatchObject({
      provider: 'aws.dr',
      source_db_instance_arn: refTo(json, 'aws_db_instance', 'test/Db/Resource', 'arn'),
      kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource', 'arn'),
      retention_period: 35,
    });
    expect(resourceAt(shortRetention, 'aws_db_instance_automated_backups_replication', 'short/Db/BackupReplication').retention_period).toBe(7);
  });

  test('an RPO the daily backup copies meet (48 h): no automated backup replication', () => {
    const app = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({
      recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(48), rto: Duration.hours(48), drRegion: 'us-west-2' }),
    }, app, 'relaxed'));
    new BackupPolicy(stack, 'Backups', { cloud });
    const db = new PostgresDatabase(stack, 'Db', { cloud, purpose: 'features', databaseName: 'features', clients: cluster });
    expect(db.backupReplication).toBeUndefined();
    const out = synthStack(stack);
    expect(resourcesOfType(out.json, 'aws_db_instance_automated_backups_replication')).toEqual([]);
    expect(out.report.dataStores[0].protections.map((p: any) => p.mechanism)).toEqual(['RDS automated backups (point-in-time recovery)', 'AWS Backup']);
  });
});

describe('PostgresDatabase.addApplicationRole', () => {
  let json: any;
  let report: any;
  let dir: string;
  beforeAll(() => {
    const { stack, cloud, cluster } = newPlatform();
    new BackupPolicy(stack, 'Backups', { cloud });
    const db = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'features', databaseName: 'features', clients: cluster });
    const credentials = db.addApplicationRole(stack, 'AppRole', {
      cluster, namespace: 'features', roleName: 'feast', databases: ['feast', 'feast_registry'], secretName: 'feast-db',
    });
    expect(credentials).toMatchObject({ secretName: 'feast-db', usernameKey: 'username', passwordKey: 'password' });
    expect(credentials.prerequisites).toHaveLength(2);
    ({ json, report, dir } = synthStack(stack));
  });

  const secretArn = () => refTo(json, 'aws_secretsmanager_secret', 'test/AppRole/Secret', 'arn');
  const masterSecretArn = () => '${' + refTo(json, 'aws_db_instance', 'test/Db/Resource', 'master_user_secret').slice(2, -1) + '[0].secret_arn}';

  test('a secret of its own, on the data key, replicated to the DR region with the DR data key', () => {
    expect(resourceAt(json, 'aws_secretsmanager_secret', 'test/AppRole/Secret')).toMatchObject({
      provider: 'aws', name_prefix: 'fraud-prod-features/feast-', recovery_window_in_days: 30,
      kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn'),
      replica: [{ region: 'us-west-2', kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource', 'arn') }],
    });
  });

  test('no rotation (pods read the password once), and the suppressed CKV2_AWS_57 says why', () => {
    expect(resourcesOfType(json, 'aws_secretsmanager_secret_rotation')).toEqual([]);
    const finding = report.policy.findings.find((f: any) => f.ruleId === 'CKV2_AWS_57' && f.constructPath === 'test/AppRole/Secret');
    expect(finding.suppressedBecause).toMatch(/read the password once at start/);
    expect(report.policy.errors).toBe(0);
  });

  test('the password comes from an ephemeral generator (letters and digits only) and is written write-only: never in state', () => {
    const generators = json.ephemeral.aws_secretsmanager_random_password;
    expect(Object.keys(generators)).toHaveLength(1);
    const [[name, generator]] = Object.entries<any>(generators);
    expect(generator).toEqual({ provider: 'aws', password_length: 40, exclude_punctuation: true, include_space: false });
    const version = resourceAt(json, 'aws_secretsmanager_secret_version', 'test/AppRole/Value');
    expect(version.secret_id).toBe(refTo(json, 'aws_secretsmanager_secret', 'test/AppRole/Secret', 'id'));
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.secret_string_wo).toBe(
      `\${jsonencode({ username = "feast", password = ephemeral.aws_secretsmanager_random_password.${name}.random_password })}`);
    expect(resourcesOfType(json, 'random_password')).toEqual([]);
  });

  test('a bootstrap Job in db-admin creates the role and its databases, and the release waits for it to complete', () => {
    const bootstrap = helmRelease(json, 'feast-role-bootstrap');
    expect(bootstrap).toMatchObject({ namespace: 'db-admin', wait: true, wait_for_jobs: true, atomic: true });
    expect(bootstrap.depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'helm_release', 'test/AppRole/AdminSecrets/Chart/Resource'), addressOf(json, 'aws_db_instance', 'test/Db/Resource'),
    ]));
    const [job] = manifestObjects(dir, bootstrap);
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { namespace: 'db-admin' } });
    const pod = job.spec.template.spec;
    // Pod Security "restricted" (the namespace enforces it).
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      PGHOST: refTo(json, 'aws_db_instance', 'test/Db/Resource', 'address'), PGSSLMODE: 'require', APP_ROLE: 'feast', APP_DATABASES: 'feast feast_registry',
      PGUSER: { secretKeyRef: { name: 'feast-master', key: 'username' } },
      PGPASSWORD: { secretKeyRef: { name: 'feast-master', key: 'password' } },
      APP_PASSWORD: { secretKeyRef: { name: 'feast-login', key: 'password' } },
    });
    // The role gets LOGIN and PostgreSQL's defaults (see the real-server test below), and owns its databases.
    expect(container.command[2]).toContain(`ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';`);
    expect(container.command[2]).not.toMatch(/SUPERUSER|REPLICATION|BYPASSRLS/);
    expect(container.command[2]).toContain('CREATE DATABASE %I OWNER %I');
  });

  // The script runs against a real PostgreSQL server, as a master user that is not a superuser (like RDS's), twice
  // (upgrades re-run it). Needs the server binaries (initdb, pg_ctl, psql), which .ci/run's machine has.
  const pgTools = ['initdb', 'pg_ctl', 'psql'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
  (pgTools || process.env.CI ? test : test.skip)('the bootstrap script creates a least-privilege owner role on a real PostgreSQL', () => {
    const [job] = manifestObjects(dir, helmRelease(json, 'feast-role-bootstrap'));
    const script: string = job.spec.template.spec.containers[0].command[2];
    const pg = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-bootstrap-'));
    const sh = (command: string, env: { [key: string]: string } = {}) => {
      const result = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, PGHOST: pg, PGPORT: '54329', ...env } });
      return { ok: result.status === 0, out: `${result.stdout}${result.stderr}` };
    };
    const sql = (user: string, db: string, query: string) => sh(`psql -X -At -v ON_ERROR_STOP=1 -U ${user} -d ${db} -c "${query}"`);
    // The server refuses to run as root (CI runs as root): then it runs as the postgres system user.
    const asServer = process.getuid?.() === 0 ? 'runuser -u postgres -- ' : '';
    if (asServer) {
      fs.chmodSync(pg, 0o777);
    }
    try {
      expect(sh(`${asServer}initdb -D ${pg}/data -U postgres --auth=trust >/dev/null`).out).toBe('');
      expect(sh(`${asServer}pg_ctl -D ${pg}/data -o "-k ${pg} -p 54329 -c listen_addresses=''" -w start >/dev/null`).ok).toBe(true);
      // An RDS-like master: CREATEROLE and CREATEDB, not a superuser; it owns the database RDS created.
      expect(sql('postgres', 'postgres', 'CREATE ROLE master LOGIN CREATEROLE CREATEDB').ok).toBe(true);
      expect(sql('postgres', 'postgres', 'CREATE DATABASE feast OWNER master').ok).toBe(true);
      expect(sql('postgres', 'postgres', 'CREATE ROLE bystander LOGIN').ok).toBe(true);
      const env = { PGUSER: 'master', PGDATABASE: 'postgres', APP_ROLE: 'feast', APP_PASSWORD: 'Abc123xyz', APP_DATABASES: 'feast feast_registry' };
      for (const run of [1, 2]) {
        const result = sh(script, env);
        expect({ run, ...result }).toMatchObject({ run, ok: true });
      }
      expect(sql('postgres', 'postgres', "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'feast'").out.trim())
        .toBe('f|f|f|f|f|t');
      expect(sql('postgres', 'postgres', "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE pg_get_userbyid(datdba) = 'feast'").out.trim())
        .toBe('feast,feast_registry');
      // The role can create its schema (migrations) in both databases; nobody else may even connect.
      expect(sql('feast', 'feast', 'CREATE TABLE t (id int)').ok).toBe(true);
      expect(sql('feast', 'feast_registry', 'CREATE TABLE t (id int)').ok).toBe(true);
      expect(sql('bystander', 'feast', 'SELECT 1').out).toContain('permission denied for database');
    } finally {
      sh(`${asServer}pg_ctl -D ${pg}/data -m immediate stop >/dev/null 2>&1`);
      fs.rmSync(pg, { recursive: true, force: true });
    }
  });

  test('the master credentials reach only the db-admin namespace, the role\'s credentials only the application namespace', () => {
    const admin = helmRelease(json, 'fraud-prod-features-feast');
    expect(admin.namespace).toBe('db-admin');
    const adminObjects = manifestObjects(dir, admin);
    expect(adminObjects.filter((o) => o.kind === 'ExternalSecret').map((o) => [o.metadata.name, o.spec.data[0].remoteRef.key])).toEqual([
      ['feast-master', masterSecretArn()], ['feast-login', secretArn()],
    ]);
    const app = helmRelease(json, 'feast-db-store');
    expect(app.namespace).toBe('features');
    const appObjects = manifestObjects(dir, app);
    const externalSecrets = appObjects.filter((o) => o.kind === 'ExternalSecret');
    expect(externalSecrets).toHaveLength(1);
    expect(externalSecrets[0].spec.data).toEqual([
      { secretKey: 'username', remoteRef: { key: secretArn(), property: 'username' } },
      { secretKey: 'password', remoteRef: { key: secretArn(), property: 'password' } },
    ]);
    expect(JSON.stringify(appObjects)).not.toContain('master_user_secret');
    // The application's store may read its login secret and nothing else.
    const appPolicy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/AppRole/AppSecrets/Policy').policy);
    expect(appPolicy.Statement[0]).toEqual({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretArn() });
    const adminPolicy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/AppRole/AdminSecrets/Policy').policy);
    expect(adminPolicy.Statement[0].Resource).toEqual([masterSecretArn(), secretArn()]);
  });

  test('no literal password anywhere', () => {
    const passwordLeaves = leaves(json).filter(([key]) => /password/i.test(key.split('.').pop()!));
    expect(passwordLeaves.map(([key]) => key.split('.').pop()).sort()).toEqual(['manage_master_user_password', 'password_length']);
    expect(JSON.stringify(json)).not.toMatch(/"secret_string"/);
  });
});

describe('PostgresDatabase.addApplicationRole validation', () => {
  function build(options: any) {
    const { stack, cloud, cluster } = newPlatform();
    const db = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'features', databaseName: 'features', clients: cluster });
    return () => db.addApplicationRole(stack, 'AppRole', { cluster, namespace: 'features', roleName: 'feast', databases: ['feast'], secretName: 'feast-db', ...options });
  }

  test.each(['Feast', '1feast', 'feast-role', ''])('roleName %p is rejected', (roleName) => {
    expectValidationError(build({ roleName }), 'test/AppRole', 'roleName', /is not valid: a lower-case PostgreSQL identifier/);
  });

  test('databases must list at least one lower-case identifier', () => {
    expectValidationError(build({ databases: [] }), 'test/AppRole', 'databases', /must list at least one database/);
    expectValidationError(build({ databases: ['ok', 'Not-OK'] }), 'test/AppRole', 'databases[1]', /is not valid: a lower-case PostgreSQL identifier/);
  });
});

describe('PostgresDatabase validation', () => {
  function build(extra: any) {
    const { stack, cloud, cluster } = newPlatform();
    return () => new PostgresDatabase(stack, 'Db', { cloud, purpose: 'features', databaseName: 'features', clients: cluster, ...extra });
  }

  test.each(['1abc', 'has-dash', 'a'.repeat(64), '', 'with space'])('databaseName %p is rejected', (databaseName) => {
    expectValidationError(build({ databaseName }), 'test/Db', 'databaseName', /is not valid: a letter followed by up to 62 letters, digits or "_"/);
  });

  test.each(['features', 'F', 'ml_tracking_2', 'a'.repeat(63)])('databaseName %p is accepted', (databaseName) => {
    expect(build({ databaseName })).not.toThrow();
  });

  test('engine version, instance class and storage are checked', () => {
    expectValidationError(build({ engineVersion: '13' }), 'test/Db', 'engineVersion', /a supported PostgreSQL major version, 14 to 18/);
    expectValidationError(build({ instanceClass: 'm7g.large' }), 'test/Db', 'instanceClass', /an RDS instance class such as "db\.m7g\.large"/);
    expectValidationError(build({ allocatedStorageGiB: 10 }), 'test/Db', 'allocatedStorageGiB', /must be a whole number from 20 to 65536 \(got 10\)/);
    expectValidationError(build({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }), 'test/Db', 'maxAllocatedStorageGiB',
      /must be a whole number from 100 to 65536 \(got 50\)/);
  });

  test('clients must be an EKS cluster', () => {
    const { stack, cloud } = newPlatform();
    const notEks: any = { node: { path: 'test/Elsewhere' }, clusterName: 'x' };
    expectValidationError(() => new PostgresDatabase(stack, 'Db', { cloud, purpose: 'p', databaseName: 'd', clients: notEks }), 'test/Db', 'clients',
      /is not an EKS cluster \(got "test\/Elsewhere"\)/);
  });
});
