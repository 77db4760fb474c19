import { App } from 'cdktf';
import { AksCluster, AksClusterProps } from '../../lib/azure/aks-cluster';
import { AzureCloud, AzureCloudProps } from '../../lib/azure/azure-cloud';
import { CostAllocation } from '../../lib/core/cost-allocation';
import { PlatformStack, PlatformStackProps } from '../../lib/core/platform-stack';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { DEFAULT_COST, newApp } from '../helpers';

/** A test subscription ID. */
export const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';

/** A PlatformStack in eastus2 with DR in centralus (its Azure pair). */
export function newAzureStack(overrides: Partial<PlatformStackProps> = {}, app: App = newApp(), id = 'azure'): PlatformStack {
  return new PlatformStack(app, id, {
    costAllocation: new CostAllocation({ ...DEFAULT_COST }),
    recoveryObjective: RecoveryObjective.businessCritical('centralus'),
    primaryRegion: 'eastus2',
    ...overrides,
  });
}

/** A stack with an AzureCloud. */
export function newAzureCloud(props: Partial<AzureCloudProps> = {}, stack: PlatformStack = newAzureStack()): { stack: PlatformStack; cloud: AzureCloud } {
  const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION, ...props });
  return { stack, cloud };
}

/** A stack with an AzureCloud and an AksCluster. */
export function newAks(props: Partial<AksClusterProps> = {}, cloudProps: Partial<AzureCloudProps> = { deployerCidrs: ['203.0.113.0/24'] }):
{ stack: PlatformStack; cloud: AzureCloud; cluster: AksCluster } {
  const { stack, cloud } = newAzureCloud(cloudProps);
  const cluster = new AksCluster(stack, 'Cluster', { cloud, ...props });
  return { stack, cloud, cluster };
}
