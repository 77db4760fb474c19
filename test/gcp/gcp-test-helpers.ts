import { App } from 'cdktf';
import { CostAllocation } from '../../lib/core/cost-allocation';
import { PlatformStack, PlatformStackProps } from '../../lib/core/platform-stack';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { GcpCloud, GcpCloudProps } from '../../lib/gcp/gcp-cloud';
import { GcpNetwork } from '../../lib/gcp/gcp-network';
import { GkeCluster, GkeClusterProps } from '../../lib/gcp/gke-cluster';
import { DEFAULT_COST, newApp } from '../helpers';

/** A PlatformStack in us-central1 with DR in us-east1. */
export function newGcpStack(overrides: Partial<PlatformStackProps> = {}, app: App = newApp(), id = 'gcp'): PlatformStack {
  return new PlatformStack(app, id, {
    costAllocation: new CostAllocation({ ...DEFAULT_COST }),
    recoveryObjective: RecoveryObjective.businessCritical('us-east1'),
    primaryRegion: 'us-central1',
    ...overrides,
  });
}

/** A stack with a GcpCloud. */
export function newGcpCloud(props: Partial<GcpCloudProps> = {}, stack: PlatformStack = newGcpStack()): { stack: PlatformStack; cloud: GcpCloud } {
  const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod', ...props });
  return { stack, cloud };
}

/** A stack with a GcpCloud, a GcpNetwork and a GkeCluster. */
export function newGke(props: Partial<GkeClusterProps> = {}): { stack: PlatformStack; cloud: GcpCloud; network: GcpNetwork; cluster: GkeCluster } {
  const { stack, cloud } = newGcpCloud();
  const network = new GcpNetwork(stack, 'Network', { cloud });
  const cluster = new GkeCluster(stack, 'Cluster', { cloud, network, rbacSecurityGroup: 'gke-security-groups@example.com', ...props });
  return { stack, cloud, network, cluster };
}
