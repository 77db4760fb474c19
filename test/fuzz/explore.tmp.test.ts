import * as lib from '../../lib';
import { newFuzzApp, validStackProps, importedCluster, runCase } from './fuzz-helpers';

function t(name: string, f: () => any) {
  try { const r = f(); console.log(name, 'OK', r?.outcome, r?.error?.message ?? ''); } catch (e: any) { console.log(name, 'THROW', e?.message?.slice(0, 400)); }
}
const R = (o: any, type: string, key: string) => Object.values(o.json.resource[type] ?? {}).map((r: any) => JSON.stringify(key.split('.').reduce((a, k) => a?.[k], r)));

it('explore', () => {
  for (const v of [1e21, 1e-7, 0.004, 123.456]) t('budget ' + v, () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws');
    new lib.BudgetAlerts(stack, 'B', { cloud, monthlyLimitUsd: v, emails: ['a@example.com'], anomalyThresholdUsd: v, actualThresholdsPercent: [1e-9, 80, 80] }); return { app, stack }; },
    (o) => console.log(v, R(o, 'aws_budgets_budget', 'limit_amount'), R(o, 'aws_budgets_budget', 'notification'), o.report.components.map((c: any) => c.description))));
  t('k8s number', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const vpc = new lib.Vpc(stack, 'V', { cloud, cidrBlock: '10.40.1.0/16' });
    new lib.EksCluster(stack, 'C', { cloud, vpc, kubernetesVersion: 1.35 as any }); return { app, stack }; }, (o) => console.log(R(o, 'aws_eks_cluster', 'version'), R(o, 'aws_vpc', 'cidr_block'))));
  t('k8s 1.035', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const vpc = new lib.Vpc(stack, 'V', { cloud, cidrBlock: '010.040.000.000/16' });
    new lib.EksCluster(stack, 'C', { cloud, vpc, kubernetesVersion: '1.035', endpointAccess: lib.EndpointAccess.publicAndPrivate(['203.0.113.0/24', '203.0.113.0/24', '10.1.2.3/8']) }); return { app, stack }; }, (o) => console.log(R(o, 'aws_eks_cluster', 'version'), R(o, 'aws_eks_cluster', 'vpc_config'))));
  t('mig bogus', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.GpuNodePool(stack, 'G', { cluster, instanceType: 'p4d.24xlarge', migStrategy: 'bogus' as any, capacityType: 'spot' as any }); return { app, stack }; },
    (o) => console.log(R(o, 'helm_release', 'values'), R(o, 'aws_eks_node_group', 'capacity_type'), o.report.components.map((c: any) => c.description))));
  t('mig bogus g5', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.GpuNodePool(stack, 'G', { cluster, instanceType: 'g5.xlarge', migStrategy: 'bogus' as any }); return { app, stack }; }));
  t('mig none + ts', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.GpuNodePool(stack, 'G', { cluster, instanceType: 'g5.xlarge', migStrategy: lib.MigStrategy.NONE, timeSlicingReplicas: 4 }); return { app, stack }; }));
  t('tracking ns', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.ExperimentTracking(stack, 'T', { cloud, cluster, namespace: 'Bad_NS' }); return { app, stack }; }));
  t('tracking dbclass', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.ExperimentTracking(stack, 'T', { cloud, cluster, databaseInstanceClass: 'm5.large' }); return { app, stack }; }));
  t('tracking no backup', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.ExperimentTracking(stack, 'T', { cloud, cluster }); return { app, stack }; }));
  t('tracking ns kube-system', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps());
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.ExperimentTracking(stack, 'T', { cloud, cluster, namespace: 'external-secrets' }); new lib.BackupPolicy(stack, 'B', { cloud }); return { app, stack }; }));
  t('project 1abc', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps({ costAllocation: new lib.CostAllocation({ costCenter: 'c', team: 't', project: '1abc', environment: 'e' }) }));
    const cloud = new lib.AwsCloud(stack, 'Aws'); const cluster = importedCluster(stack, cloud);
    new lib.ExperimentTracking(stack, 'T', { cloud, cluster }); new lib.BackupPolicy(stack, 'B', { cloud }); return { app, stack }; }, (o) => console.log(R(o, 'aws_db_instance', 'identifier'), R(o, 'aws_backup_vault', 'name'))));
  t('ro rpo 100h', () => runCase(() => { const app = newFuzzApp(); const stack = new lib.PlatformStack(app, 's', validStackProps({ recoveryObjective: lib.RecoveryObjective.of({ rpo: lib.Duration.minutes(7), rto: lib.Duration.minutes(0.001), drRegion: 'eu-west-1', retention: lib.Duration.hours(24) }) }));
    const cloud = new lib.AwsCloud(stack, 'Aws'); new lib.ModelRegistry(stack, 'R', { cloud, objectLockDays: 36500 }); new lib.BackupPolicy(stack, 'B', { cloud, cluster: importedCluster(stack, cloud), complianceLockAfterDays: 36500 }); return { app, stack }; },
    (o) => console.log(R(o, 'aws_backup_vault_lock_configuration', 'max_retention_days'), R(o, 'aws_backup_vault_lock_configuration', 'min_retention_days'), R(o, 'aws_backup_vault_lock_configuration', 'changeable_for_days'), R(o, 'aws_backup_plan', 'rule'), R(o, 'aws_s3_bucket_object_lock_configuration', 'rule'), R(o, 'helm_release', 'values').filter((v) => v.includes('schedule')))));
});
