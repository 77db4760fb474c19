import { Lazy } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { IKubernetesCluster } from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { ChartCatalog } from './chart-catalog';
import { PlatformNamespace } from './platform-namespace';
import { Release } from '@cdktf/provider-helm/lib/release';

/** How GPUs with MIG support are partitioned. */
export enum MigStrategy {
  /** Every GPU is one device. */
  NONE = 'none',
  /** Every GPU on a node is split the same way; devices keep the `nvidia.com/gpu` name. */
  SINGLE = 'single',
  /** GPUs may be split differently; devices are named by profile (`nvidia.com/mig-1g.10gb`). */
  MIXED = 'mixed',
}

/** Node label the device plugin reads to pick its sharing configuration. */
export const DEVICE_PLUGIN_CONFIG_LABEL = 'nvidia.com/device-plugin.config';

/**
 * The NVIDIA GPU operator, once per cluster. The AMIs the library uses ship the driver and container
 * toolkit, so the operator installs neither; it runs the device plugin, GPU feature discovery and the DCGM
 * exporter only on NVIDIA nodes (node feature discovery labels them). Time-slicing configurations are
 * collected from every pool and rendered at synth.
 */
export class GpuOperator extends Construct {
  /** The operator of a cluster, installed on first use. */
  public static of(cluster: IKubernetesCluster): GpuOperator {
    const existing = cluster.node.tryFindChild('GpuOperator');
    return (existing as GpuOperator) ?? new GpuOperator(cluster as unknown as Construct, 'GpuOperator', cluster);
  }

  /** The Helm release. */
  public readonly release: Release;
  private readonly sharingConfigs = new Map<string, number>();
  private migStrategy = MigStrategy.SINGLE;
  /** The construct that chose the MIG strategy, when one did. */
  private migStrategyChosenBy?: IConstruct;

  private constructor(scope: Construct, id: string, cluster: IKubernetesCluster) {
    super(scope, id);
    const stack = PlatformStack.ofConstruct(this);
    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: 'gpu-operator', podSecurity: 'privileged' });
    const chart = ChartCatalog.GPU_OPERATOR;
    this.release = new Release(this, 'Release', {
      provider: cluster.helmProvider,
      name: 'gpu-operator',
      namespace: namespace.name,
      repository: chart.repository,
      chart: chart.chart,
      version: chart.version,
      atomic: true,
      wait: true,
      timeout: 900,
      values: [Lazy.stringValue({ produce: () => JSON.stringify(this.values(stack.costAllocation.tags)) })],
      dependsOn: cluster.workloadPrerequisites,
    });
    stack.addComponent({
      path: this.node.path, name: 'GpuOperator',
      description: `NVIDIA GPU operator ${chart.version}: driver and toolkit from the AMI, DCGM exporter on`,
    });
  }

  /**
   * Registers a time-slicing configuration; returns the name nodes select it by (through the
   * `nvidia.com/device-plugin.config` label).
   */
  public addTimeSlicing(replicas: number): string {
    const name = `time-sliced-${replicas}`;
    this.sharingConfigs.set(name, replicas);
    return name;
  }

  /**
   * Sets the MIG strategy for the cluster (one per cluster in the operator). A second pool asking for another
   * strategy is an error naming both: the operator would silently apply only the last one.
   *
   * @param strategy the strategy
   * @param requester the pool asking for it, named in the error
   */
  public useMigStrategy(strategy: MigStrategy, requester?: IConstruct): void {
    if (this.migStrategyChosenBy !== undefined && strategy !== this.migStrategy) {
      throw new ValidationError(requester ?? this, 'migStrategy', strategy,
        `conflicts with MigStrategy "${this.migStrategy}" that ${this.migStrategyChosenBy.node.path} set: the GPU operator has one MIG strategy per cluster`,
        'Use the same migStrategy on every pool of the cluster (MIXED lets pools partition GPUs differently), or leave it unset on pools without MIG.');
    }
    this.migStrategy = strategy;
    this.migStrategyChosenBy = this.migStrategyChosenBy ?? requester ?? this;
  }

  private values(labels: { [key: string]: string }): any {
    const data: { [key: string]: string } = { default: 'version: v1\n' };
    for (const [name, replicas] of [...this.sharingConfigs.entries()].sort()) {
      data[name] = `version: v1\nsharing:\n  timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: ${replicas}\n`;
    }
    return {
      driver: { enabled: false },
      toolkit: { enabled: false },
      nfd: { enabled: true },
      // Its ServiceMonitor comes from Monitoring, after the Prometheus CRDs: the operator's own would need them
      // before the operator is installed, which a cluster without monitoring never has.
      dcgmExporter: { enabled: true },
      mig: { strategy: this.migStrategy },
      daemonsets: { labels },
      devicePlugin: { enabled: true, config: { create: true, name: 'device-plugin-sharing', default: 'default', data } },
    };
  }
}
