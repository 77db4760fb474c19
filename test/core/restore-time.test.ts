import * as fs from 'fs';
import * as path from 'path';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { SecureBucket } from '../../lib/aws/secure-bucket';
import { BackupPolicy } from '../../lib/backup-policy';
import { DataStoreKind, DataStoreRecord } from '../../lib/core/data-store-registry';
import { Duration } from '../../lib/core/duration';
import { PlatformStack } from '../../lib/core/platform-stack';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { RestoreKind, RestoreProcedure, RestoreTimeModel } from '../../lib/core/restore';
import { appOf, newStack, readStackOutput, synthStack } from '../helpers';

const db: DataStoreRecord = {
  path: 'test/Db', kind: DataStoreKind.DATABASE, purpose: 'features', resourceId: 'arn:aws:rds:us-east-1:1:db:x', region: 'us-east-1',
  backupServiceEligible: true, sizeGiB: 50,
};
const bucket: DataStoreRecord = {
  path: 'test/Bucket', kind: DataStoreKind.OBJECT_STORE, purpose: 'data', resourceId: 'arn:aws:s3:::x', region: 'us-east-1', backupServiceEligible: true,
};
const cluster: DataStoreRecord = {
  path: 'test/Cluster', kind: DataStoreKind.CLUSTER_STATE, purpose: 'objects', resourceId: 'c', region: 'us-east-1', backupServiceEligible: false,
};

describe('restore-time model', () => {
  test('point-in-time restore: 30 min provisioning plus 0.1 min per GiB of the database', () => {
    expect(RestoreTimeModel.estimate(RestoreKind.POINT_IN_TIME, db)).toEqual({
      minutes: 35, breakdown: '30 min instance provisioning + 50 GiB x 0.1 min/GiB',
    });
    // The assumption overrides the construct's allocated storage.
    expect(RestoreTimeModel.estimate(RestoreKind.POINT_IN_TIME, db, { databaseSizeGiB: 600 }).minutes).toBe(90);
    // Without a size from the construct or the assumptions: 100 GiB.
    expect(RestoreTimeModel.estimate(RestoreKind.POINT_IN_TIME, { ...db, sizeGiB: undefined }).minutes).toBe(40);
    // Fractions round up.
    expect(RestoreTimeModel.estimate(RestoreKind.POINT_IN_TIME, db, { databaseSizeGiB: 33 }).minutes).toBe(34);
  });

  test('snapshot restore: 30 min job start and provisioning plus 0.6 min per GiB', () => {
    expect(RestoreTimeModel.estimate(RestoreKind.SNAPSHOT, db).minutes).toBe(60);
    expect(RestoreTimeModel.estimate(RestoreKind.SNAPSHOT, bucket)).toEqual({
      minutes: 90, breakdown: '30 min restore job start and provisioning + 100 GiB x 0.6 min/GiB',
    });
    expect(RestoreTimeModel.estimate(RestoreKind.SNAPSHOT, bucket, { objectStoreSizeGiB: 1000 }).minutes).toBe(630);
  });

  test('a replica does not depend on size', () => {
    expect(RestoreTimeModel.estimate(RestoreKind.REPLICA, bucket, { objectStoreSizeGiB: 100000 })).toEqual({
      minutes: 15, breakdown: '15 min re-pointing clients to the replica (size-independent)',
    });
  });

  test('Velero: 10 min plus 100 objects a minute', () => {
    expect(RestoreTimeModel.estimate(RestoreKind.CLUSTER_STATE, cluster).minutes).toBe(30);
    expect(RestoreTimeModel.estimate(RestoreKind.CLUSTER_STATE, cluster, { clusterObjectCount: 6000 })).toEqual({
      minutes: 70, breakdown: '10 min installing Velero and syncing the backup location + 6000 objects x 0.01 min/object',
    });
  });

  test('every kind documents its source; the fastest is a Velero restore of an empty cluster, then the replica', () => {
    for (const model of RestoreTimeModel.models()) {
      expect(model.source.length).toBeGreaterThan(80);
      expect(model.source).toMatch(/Assumed/);
    }
    expect(RestoreTimeModel.FASTEST_MINUTES).toBe(10);
    expect(RestoreTimeModel.FASTEST_KIND).toBe(RestoreKind.CLUSTER_STATE);
    expect(RestoreTimeModel.modelOf(RestoreKind.REPLICA).fixedMinutes).toBe(15);
  });
});

describe('RTO and RPO consistency', () => {
  test('an RTO shorter than the fastest restore fails when the stack is created', () => {
    expect(() => newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.minutes(15), rto: Duration.minutes(9), drRegion: 'us-west-2' }) }))
      .toThrow(/recoveryObjective\.rto is shorter than the fastest restore any mechanism gives \(CLUSTER_STATE: 10 minutes\) \(got 9 minutes\)\. Use an RTO of at least 10 minutes/);
  });

  test('an RTO a replica cannot meet passes the objective but fails synth naming the store', () => {
    const stack = newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.minutes(15), rto: Duration.minutes(12), drRegion: 'us-west-2' }) });
    new SecureBucket(stack, 'Datasets', { cloud: new AwsCloud(stack, 'Aws'), purpose: 'datasets' });
    expect(() => appOf(stack).synth()).toThrow(/data store test\/Datasets \(datasets\) cannot be restored within the RTO of 12 minutes: its fastest restore, S3 cross-region replication \(RTC 15 min\) \(REPLICA\), is estimated at 15 min/);
  });

  test('an RPO below 5 minutes fails', () => {
    expect(() => newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.minutes(4), rto: Duration.hours(1), drRegion: 'us-west-2' }) }))
      .toThrow(/recoveryObjective\.rpo is shorter than any backup schedule can give/);
  });

  test('a size stated per store (by purpose or path) wins over the per-kind size', () => {
    expect(RestoreTimeModel.estimate(RestoreKind.POINT_IN_TIME, db, { databaseSizeGiB: 600, storeSizesGiB: { features: 300 } }).minutes).toBe(60);
    expect(RestoreTimeModel.estimate(RestoreKind.SNAPSHOT, bucket, { storeSizesGiB: { 'test/Bucket': 50 } }).minutes).toBe(60);
    expect(RestoreTimeModel.estimate(RestoreKind.SNAPSHOT, bucket, { storeSizesGiB: { other: 50 } }).minutes).toBe(90);
    const ro = RecoveryObjective.businessCritical('us-west-2').withRestoreAssumptions({ storeSizesGiB: { mlflow: 0 } });
    expect(() => newStack({ recoveryObjective: ro })).toThrow(/recoveryObjective\.restoreAssumptions\.storeSizesGiB\.mlflow must be a positive number \(got 0\)/);
  });

  test('restore assumptions must be positive numbers', () => {
    const ro = RecoveryObjective.businessCritical('us-west-2').withRestoreAssumptions({ databaseSizeGiB: -1 });
    expect(() => newStack({ recoveryObjective: ro })).toThrow(/recoveryObjective\.restoreAssumptions\.databaseSizeGiB must be a positive number \(got -1\)/);
  });
});

/** A store with a point-in-time copy in the DR region, as a new construct would register it. */
function registerDatabase(stack: PlatformStack, sizeGiB: number, restore = true): void {
  stack.dataStores.register({ ...db, sizeGiB });
  const procedure: RestoreProcedure = {
    kind: RestoreKind.POINT_IN_TIME, summary: 'point-in-time restore in us-west-2',
    steps: [{ title: 'Restore', commands: ['restore-it --region us-west-2'] }],
  };
  stack.dataStores.protect(db.path, {
    mechanism: 'replicated logs', rpo: Duration.minutes(5), copyRegion: 'us-west-2', copyRpo: Duration.minutes(10), retention: Duration.days(7),
    restore: restore ? procedure : undefined,
  });
}

describe('the whole platform is proven back within the RTO', () => {
  test('a platform whose stores need the DR deployment fails a one-hour RTO, with the phases and the fixes', () => {
    const stack = newStack({ recoveryObjective: RecoveryObjective.missionCritical('us-west-2') });
    stack.dataStores.register({ ...db, sizeGiB: 50 });
    stack.dataStores.protect(db.path, {
      mechanism: 'replicated backups', rpo: Duration.minutes(5), copyRegion: 'us-west-2', copyRpo: Duration.minutes(10), retention: Duration.days(7),
      restore: { kind: RestoreKind.POINT_IN_TIME, summary: 'restore into the DR network', steps: [{ title: 'Restore' }], afterDeploy: true },
    });
    stack.dataStores.addClient(db.path, { name: 'MLflow', repoint: { title: 'Re-point MLflow' } });
    let error: any;
    try {
      appOf(stack).synth();
    } catch (e) {
      error = e;
    }
    expect(error?.name).toBe('ValidationError');
    expect(error.message).toContain('the platform cannot be back in us-west-2 within the RTO of 1 hour: following the restore runbook it ' +
      'takes an estimated 90 min (45 min deploying the platform in the DR region + 35 min restoring features into the DR deployment + ' +
      '10 min re-pointing clients). Raise the RTO to at least 90 minutes, or keep the platform deployed in the DR region ahead of time');
    // Each store alone restores within the hour: only the platform as a whole is over.
    expect(error.message).not.toContain('cannot be restored within');
  });
});

describe('the RTO is proven at synth', () => {
  const missionCritical = () => RecoveryObjective.missionCritical('us-west-2');

  test('a store whose fastest restore exceeds the RTO fails synth naming it, its mechanism, the estimate and the fixes', () => {
    const stack = newStack({ recoveryObjective: missionCritical() });
    registerDatabase(stack, 500);
    const app = appOf(stack);
    let error: any;
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
    expect(error?.name).toBe('ValidationError');
    expect(error.prop).toBe('recoveryObjective');
    expect(error.message).toContain('data store test/Db (features) cannot be restored within the RTO of 1 hour: its fastest restore, ' +
      'replicated logs (POINT_IN_TIME), is estimated at 80 min (30 min instance provisioning + 500 GiB x 0.1 min/GiB). ' +
      'Raise the RTO to at least 80 minutes, make the store smaller (or state its real size in recoveryObjective.restoreAssumptions), ' +
      'or protect it with a faster mechanism (REPLICA: 15 min).');
    // The report is marked failed and still shows the estimate; the runbook is written with the failure banner.
    const { report, markdown } = readStackOutput(app.outdir, 'test');
    expect(report.status).toBe('failed');
    expect(report.dataStores[0].restore).toEqual(expect.objectContaining({ estimatedMinutes: 80, rtoMinutes: 60, withinRto: false }));
    expect(markdown).toContain('| POINT_IN_TIME: point-in-time restore in us-west-2 | 80 / 60 **over RTO** |');
    const runbook = fs.readFileSync(path.join(app.outdir, 'stacks', 'test', 'restore-runbook.md'), 'utf8');
    expect(runbook).toContain('SYNTH FAILED');
  });

  test('stating the real size in the restore assumptions is enough when it fits', () => {
    const stack = newStack({ recoveryObjective: missionCritical().withRestoreAssumptions({ databaseSizeGiB: 200 }) });
    registerDatabase(stack, 500);
    const { report } = synthStack(stack);
    expect(report.status).toBe('ok');
    expect(report.dataStores[0].restore).toEqual(expect.objectContaining({ kind: 'POINT_IN_TIME', estimatedMinutes: 50, withinRto: true }));
  });

  test('a copy in the DR region that states no restore procedure fails synth naming the store', () => {
    const stack = newStack({ recoveryObjective: missionCritical() });
    registerDatabase(stack, 50, false);
    expect(() => appOf(stack).synth()).toThrow(/data store test\/Db \(features\): its copies \(replicated logs\) state no restore procedure/);
  });

  test('AWS Backup snapshots of a large bucket miss a one-day RTO; the error names the mechanism', () => {
    const ro = RecoveryObjective.of({ rpo: Duration.hours(48), rto: Duration.hours(24), drRegion: 'us-west-2', restoreAssumptions: { objectStoreSizeGiB: 5000 } });
    const stack = newStack({ recoveryObjective: ro });
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    new BackupPolicy(stack, 'Backups', { cloud });
    expect(() => appOf(stack).synth()).toThrow(
      /data store test\/Datasets \(datasets\) cannot be restored within the RTO of 24 hours: its fastest restore, AWS Backup \(SNAPSHOT\), is estimated at 3030 min/);
  });

  test('stating how a store restores creates nothing at synth', () => {
    const stack = newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(48), rto: Duration.hours(24), drRegion: 'us-west-2' }) });
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    new BackupPolicy(stack, 'Backups', { cloud });
    const before = stack.node.findAll().map((c) => c.node.path);
    const { report, json } = synthStack(stack);
    expect(report.dataStores[0].restore).toEqual(expect.objectContaining({ kind: 'SNAPSHOT', estimatedMinutes: 90, rtoMinutes: 1440, withinRto: true }));
    // cdktf adds the default local backend at synth; nothing else may appear.
    expect(stack.node.findAll().map((c) => c.node.path).filter((p) => !before.includes(p))).toEqual(['test/backend']);
    // No data key in the DR region: nothing replicates there, and the runbook looks the key up by alias.
    expect(stack.node.findAll().filter((c) => c.node.path.endsWith('/DrDataKey'))).toEqual([]);
    expect(Object.keys(json.resource.aws_kms_key).filter((k) => k.includes('DrDataKey'))).toEqual([]);
  });

  test('the same bucket replicated to the DR region meets a one-hour RTO', () => {
    const stack = newStack({ recoveryObjective: missionCritical().withRestoreAssumptions({ objectStoreSizeGiB: 5000 }) });
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    new BackupPolicy(stack, 'Backups', { cloud });
    const { report } = synthStack(stack);
    expect(report.dataStores[0].restore).toEqual(expect.objectContaining({ kind: 'REPLICA', estimatedMinutes: 15, withinRto: true }));
  });
});
