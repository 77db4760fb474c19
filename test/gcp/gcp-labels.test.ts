import { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool';
import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { GcpLabelsAspect } from '../../lib/gcp/gcp-labels';
import { resourceAt, synthStack } from '../helpers';
import { newGcpStack } from './gcp-test-helpers';

describe('GcpLabelsAspect', () => {
  test('adds the cost labels where default_labels do not reach, keeping labels a construct set', () => {
    // Without GcpCloud, so the GCP policy pack does not judge these bare resources.
    const stack = newGcpStack();
    const provider = new GoogleProvider(stack, 'Google', { project: 'fraud-ml-prod' });
    GcpLabelsAspect.applyTo(stack, { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod', 'managed-by': 'cdktf-mlops' });
    expect(GcpLabelsAspect.applyTo(stack, {})).toBeInstanceOf(GcpLabelsAspect);
    new ContainerNodePool(stack, 'Pool', { provider, cluster: 'c', nodeConfig: { labels: { team: 'override' } } });
    new SqlDatabaseInstance(stack, 'Db', { provider, databaseVersion: 'POSTGRES_17', settings: { tier: 'db-custom-2-8192' } });
    const { json } = synthStack(stack);
    const pool = resourceAt(json, 'google_container_node_pool', 'Pool');
    expect(pool.node_config.labels).toEqual({ 'team': 'override', 'cost-center': 'cc-4512', 'project': 'fraud', 'environment': 'prod', 'managed-by': 'cdktf-mlops' });
    expect(pool.node_config.resource_labels).toEqual({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod', 'managed-by': 'cdktf-mlops' });
    expect(resourceAt(json, 'google_sql_database_instance', 'Db').settings).toMatchObject({
      tier: 'db-custom-2-8192', user_labels: { 'cost-center': 'cc-4512', 'managed-by': 'cdktf-mlops' },
    });
  });
});
