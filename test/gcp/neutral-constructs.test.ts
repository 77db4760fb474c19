/* The five cloud-neutral constructs on GKE: they validate and build through the GCP implementations. */
import { BackupPolicy } from '../../lib/backup-policy';
import { BudgetAlerts } from '../../lib/budget-alerts';
import { ExperimentTracking } from '../../lib/experiment-tracking';
import { ModelRegistry } from '../../lib/model-registry';
import { expectValidationError, helmRelease, resourcesOfType, synthStack } from '../helpers';
import { newGke } from './gcp-test-helpers';

describe('cloud-neutral constructs on GCP', () => {
  test('ExperimentTracking stores artifacts in GCS and runs MLflow as its Google service account', () => {
    const { stack, cloud, cluster } = newGke();
    new ExperimentTracking(stack, 'Tracking', { cloud, cluster });
    const { json } = synthStack(stack);
    const values = JSON.parse(helmRelease(json, 'mlflow').values[0]);
    expect(values.artifactRoot).toEqual({ proxiedArtifactStorage: true, gcs: { enabled: true, bucket: expect.stringMatching(/google_storage_bucket\./), path: 'artifacts' } });
    expect(values.serviceAccount).toEqual({
      create: true, name: 'mlflow', annotations: { 'iam.gke.io/gcp-service-account': expect.stringMatching(/google_service_account\..*\.email/) },
    });
    expect(resourcesOfType(json, 'google_sql_database_instance').length).toBeGreaterThanOrEqual(1);
  });

  test('ExperimentTracking checks the database tier against Cloud SQL', () => {
    const { stack, cloud, cluster } = newGke();
    expectValidationError(() => new ExperimentTracking(stack, 'Tracking', { cloud, cluster, databaseInstanceClass: 'db.m7g.large' }), 'gcp/Tracking',
      'databaseInstanceClass', /is not a Cloud SQL for PostgreSQL tier/);
  });

  test('BackupPolicy runs Velero with the GCP plugin as a Workload Identity', () => {
    const { stack, cloud, cluster } = newGke();
    new ModelRegistry(stack, 'Registry', { cloud });
    new BackupPolicy(stack, 'Backups', { cloud, cluster });
    const { json, report } = synthStack(stack);
    const values = JSON.parse(helmRelease(json, 'velero').values[0]);
    expect(values.initContainers[0]).toMatchObject({ name: 'velero-plugin-for-gcp', image: 'velero/velero-plugin-for-gcp:v1.14.0' });
    expect(values.configuration.backupStorageLocation[0]).toMatchObject({ provider: 'velero.io/gcp' });
    expect(values.serviceAccount.server.annotations['iam.gke.io/gcp-service-account']).toMatch(/google_service_account\./);
    expect(report.status).toBe('ok');
  });

  test('BudgetAlerts checks the number of notification channels Cloud Billing allows', () => {
    const { stack, cloud } = newGke();
    const emails = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}@example.com`);
    expectValidationError(() => new BudgetAlerts(stack, 'Budget', { cloud, monthlyLimitUsd: 1000, emails }), 'gcp/Budget', 'emails',
      /more than the 5 notification channels/);
  });
});
