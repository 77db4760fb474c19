import { App } from 'cdktf';
import { PostgresDatabase } from '../../lib/aws/postgres-database';
import { BackupPolicy } from '../../lib/backup-policy';
import { Duration } from '../../lib/core/duration';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { expectValidationError, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType } from '../helpers';

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
      final_snapshot_identifier: 'fraud-prod-features-final',
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

  test('the database is registered and covered by AWS Backup with a DR copy', () => {
    expect(report.dataStores).toEqual([{
      path: 'test/Db', kind: 'DATABASE', purpose: 'features', region: 'us-east-1',
      protections: [{ mechanism: 'AWS Backup', rpoMinutes: 60, copyRegion: 'us-west-2', copyRpoMinutes: 60, retentionDays: 35 }],
    }]);
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
