/*
 * What a first `terraform apply` into a fresh Google Cloud project needs beyond valid arguments (review of issue #9):
 * the APIs, the quota project of user credentials, the Backup for GKE agent and key grants, and the key of
 * replicated objects.
 */
import { BackupPolicy } from '../../lib/backup-policy';
import { BackupSchedule } from '../../lib/core/backup-schedule';
import { Duration } from '../../lib/core/duration';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { GcpBillingBudget } from '../../lib/gcp/gcp-billing-budget';
import { GcpCloud } from '../../lib/gcp/gcp-cloud';
import { GcsBucket } from '../../lib/gcp/gcs-bucket';
import { GkeBackupPlan } from '../../lib/gcp/gke-backup-plan';
import { GkeCluster } from '../../lib/gcp/gke-cluster';
import { helmRelease, newStack, refTo, resourceAt, synthStack } from '../helpers';
import { newGcpCloud, newGke } from './gcp-test-helpers';

const API_STEP = 'Enable the Google Cloud APIs the platform uses';

describe('deploying into a fresh project', () => {
  test('the API step enables every API the stack calls, including the ones without a resource of their own', () => {
    const { stack } = newGcpCloud();
    const { report } = synthStack(stack);
    const step = report.deploymentSteps.find((s: any) => s.title === API_STEP);
    expect(step.phase).toBe('BEFORE_DEPLOY');
    const apis = step.command.match(/\S+\.googleapis\.com/g);
    // Replication jobs and the transfer agent data source; the billing account the budget reads (an empty one
    // without the API); the cluster's Binary Authorization mode; Workload Identity token exchange.
    for (const api of ['storagetransfer', 'cloudbilling', 'billingbudgets', 'binaryauthorization', 'iamcredentials', 'sts', 'iam',
      'monitoring', 'gkebackup', 'sqladmin', 'container', 'compute', 'servicenetworking', 'secretmanager', 'artifactregistry', 'pubsub', 'cloudkms']) {
      expect(apis).toContain(`${api}.googleapis.com`);
    }
    expect(step.command).toMatch(/--project fraud-ml-prod$/);
  });

  test('the provider sends the project as quota project, which the Billing Budgets API needs with user credentials', () => {
    const { stack } = newGcpCloud();
    const { json } = synthStack(stack);
    expect(json.provider.google[0]).toMatchObject({ user_project_override: true, billing_project: 'fraud-ml-prod' });
  });

  test('the budget names the billing-account role the deploying identity needs', () => {
    const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective: RecoveryObjective.businessCritical('us-east1') });
    const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
    new GcpBillingBudget(stack, 'Budget', {
      cloud, monthlyLimitUsd: 5000, actualThresholdsPercent: [100], forecastThresholdsPercent: [100], emails: ['ml-platform@example.com'],
      filterTagKey: 'team', filterTagValue: 'ml-platform', tagKeys: ['team'], anomalyThresholdUsd: 100,
    });
    const { report } = synthStack(stack);
    const step = report.deploymentSteps.find((s: any) => s.title === 'Allow the deploying identity to manage budgets on the billing account');
    expect(step).toMatchObject({ phase: 'BEFORE_DEPLOY' });
    expect(step.detail).toMatch(/billing\.budgets\.create/);
    expect(step.command).toMatch(/gcloud billing projects describe fraud-ml-prod/);
    expect(step.command).toMatch(/--role roles\/billing\.costsManager/);
  });
});

describe('Backup for GKE', () => {
  function plan(cluster: GkeCluster, cloud: GcpCloud) {
    const schedule = BackupSchedule.forRpo(Duration.hours(1));
    return new GkeBackupPlan(cluster.node.scope!, 'Plan', {
      cloud, snapshotIntervalHours: schedule.snapshotIntervalHours, snapshotSchedule: schedule.cronExpression,
      startWindowMinutes: schedule.startWindowMinutes, completionWindowMinutes: schedule.completionWindowMinutes,
      retention: Duration.days(35), copyRegion: 'us-east1', resourceIds: [],
    });
  }

  test('GkeCluster runs the Backup for GKE agent, without which a plan never produces a backup', () => {
    const { stack } = newGke();
    const cluster = resourceAt(synthStack(stack).json, 'google_container_cluster', 'Cluster/Resource');
    expect(cluster.addons_config).toMatchObject({
      gke_backup_agent_config: { enabled: true }, http_load_balancing: { disabled: false }, horizontal_pod_autoscaling: { disabled: false },
    });
  });

  test('the plan turns the agent on for every cluster it covers, also one the library did not create', () => {
    const { stack, cloud, cluster } = newGke();
    // Simulate a cluster whose addon is off (e.g. an escape-hatch override).
    cluster.resource.addOverride('addons_config.gke_backup_agent_config.enabled', false);
    plan(cluster, cloud);
    const json = synthStack(stack).json;
    expect(resourceAt(json, 'google_container_cluster', 'Cluster/Resource').addons_config.gke_backup_agent_config).toEqual({ enabled: true });
  });

  test('the GKE service agent, not only the Backup for GKE agent, may use the plan\'s key, before the plan exists', () => {
    const { stack, cloud, cluster } = newGke();
    PolicySuppressions.add(cluster.resource, [{ id: 'CKV_GCP_65', reason: 'test project without Workspace' }]);
    plan(cluster, cloud);
    const json = synthStack(stack).json;
    const robot = resourceAt(json, 'google_kms_crypto_key_iam_member', 'DrBackupKey/AgentContainer');
    expect(robot).toMatchObject({ role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter' });
    expect(robot.member).toMatch(/^serviceAccount:service-\$\{data\.google_project\..*\.number\}@container-engine-robot\.iam\.gserviceaccount\.com$/);
    expect(robot.crypto_key_id).toMatch(/google_kms_crypto_key\.Gcp_DrBackupKey/);
    const backupPlan = resourceAt(json, 'google_gke_backup_backup_plan', 'Plan/Resource');
    expect(backupPlan.depends_on).toEqual(expect.arrayContaining([
      expect.stringMatching(/^google_kms_crypto_key_iam_member\.Gcp_DrBackupKey_AgentGkeBackup/),
      expect.stringMatching(/^google_kms_crypto_key_iam_member\.Gcp_DrBackupKey_AgentContainer/),
    ]));
  });
});

describe('Storage Transfer replication', () => {
  test('writes each copy under the replica\'s own (DR) key, not the source object\'s primary-region key', () => {
    const { stack, cloud } = newGcpCloud();
    new GcsBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const job = resourceAt(synthStack(stack).json, 'google_storage_transfer_job', 'Datasets/Replication');
    expect(job.replication_spec.transfer_options.metadata_options).toEqual({ kms_key: 'KMS_KEY_DESTINATION_BUCKET_DEFAULT' });
  });
});

describe('Velero on GKE', () => {
  test('names its Google service account in the backup location, which the GCP plugin requires under Workload Identity', () => {
    // velero-plugin-for-gcp: with metadata-server credentials, Init fails ("serviceAccount is expected to be provided as an
    // item in BackupStorageLocation's config"), the location stays Unavailable and no backup runs.
    const { stack, cloud, cluster } = newGke();
    new BackupPolicy(stack, 'Backups', { cloud, cluster });
    const { json } = synthStack(stack);
    const release = helmRelease(json, 'velero');
    const location = JSON.parse(release.values[0]).configuration.backupStorageLocation[0];
    const email = refTo(json, 'google_service_account', 'Backups/VeleroIdentity/Resource', 'email');
    expect(location.config).toEqual({ serviceAccount: email });
    // It signs download URLs (velero backup logs/describe --details) as itself through the IAM Credentials API.
    const signer = resourceAt(json, 'google_service_account_iam_member', 'Backups/ClusterStateBucket/VeleroUrlSigner');
    expect(signer).toMatchObject({
      role: 'roles/iam.serviceAccountTokenCreator', member: `serviceAccount:${email}`,
      service_account_id: `projects/fraud-ml-prod/serviceAccounts/${email}`,
    });
    expect(release.depends_on).toContain(`google_service_account_iam_member.${signer['//'].metadata.uniqueId}`);
  });
});
