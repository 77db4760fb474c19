import { Release } from '@cdktf/provider-helm/lib/release';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { IKubernetesCluster } from '../core/interfaces';
import { PinnedChart } from './chart-catalog';

/** Properties of a {@link PinnedRelease}. */
export interface PinnedReleaseProps {
  /** The cluster. */
  readonly cluster: IKubernetesCluster;
  /** The chart, from the {@link ChartCatalog}. */
  readonly chart: PinnedChart;
  /** Release name. */
  readonly releaseName: string;
  /** Namespace (created beforehand with cost labels). */
  readonly namespace: string;
  /** Values; string leaves may be Terraform references. */
  readonly values: { [key: string]: any };
  /**
   * What the release must wait for.
   *
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Seconds Helm waits for the release's resources to become ready.
   *
   * @default 900
   */
  readonly timeoutSeconds?: number;
}

/**
 * A Helm release of a catalog-pinned chart: the version is exact, Helm waits for readiness and rolls back
 * a failed upgrade (`atomic`), and values are passed as one JSON document.
 */
export class PinnedRelease extends Construct {
  /** The release. */
  public readonly resource: Release;

  constructor(scope: Construct, id: string, props: PinnedReleaseProps) {
    super(scope, id);
    this.resource = new Release(this, 'Resource', {
      provider: props.cluster.helmProvider,
      name: props.releaseName,
      namespace: props.namespace,
      repository: props.chart.repository,
      chart: props.chart.chart,
      version: props.chart.version,
      values: [JSON.stringify(props.values)],
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      timeout: props.timeoutSeconds ?? 900,
      dependsOn: [...new Set([...props.cluster.workloadPrerequisites, ...(props.dependsOn ?? [])])],
    });
  }
}
