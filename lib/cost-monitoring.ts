import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { CostAllocation } from './core/cost-allocation';
import { ValidationError } from './core/errors';
import { IKubernetesCluster } from './core/interfaces';
import { DeploymentPhase } from './core/platform-report';
import { PlatformStack } from './core/platform-stack';
import { checkDnsLabel, checkPositive, claimUnique, isKubernetesCluster, requireConstruct, requireProps } from './core/validate';
import { ChartCatalog } from './k8s/chart-catalog';
import { PinnedRelease } from './k8s/pinned-release';
import { PlatformNamespace } from './k8s/platform-namespace';
import { Monitoring } from './monitoring';

/** Prices OpenCost uses when not the cloud's own price list, USD per hour (storage per GB-month). */
export interface OpenCostCustomPrices {
  /** One vCPU for an hour. */
  readonly cpuHourlyUsd: number;
  /** One GiB of memory for an hour. */
  readonly ramGiBHourlyUsd: number;
  /** One GPU for an hour. */
  readonly gpuHourlyUsd: number;
  /** One GB of persistent volume for a month. */
  readonly storageGbMonthlyUsd: number;
}

/** Properties of a {@link CostMonitoring}. */
export interface CostMonitoringProps {
  /** Cluster to allocate costs on. */
  readonly cluster: IKubernetesCluster;
  /** The platform's Monitoring: OpenCost queries its Prometheus, which scrapes OpenCost. */
  readonly monitoring: Monitoring;
  /**
   * Namespace of OpenCost (Pod Security `restricted`).
   *
   * @default 'opencost'
   */
  readonly namespace?: string;
  /**
   * Fixed prices instead of the cloud's public price list (air-gapped clusters, negotiated rates).
   *
   * @default - the cloud's on-demand list prices, which OpenCost reads for the nodes' instance types (needs egress
   * to the cloud's pricing endpoint)
   */
  readonly customPrices?: OpenCostCustomPrices;
  /**
   * Run the OpenCost web UI next to the API. Its nginx image runs as root, which Pod Security `restricted` does
   * not admit, so the namespace is `baseline` when it is on. The UI is never exposed outside the cluster.
   *
   * @default false (read costs through the API)
   */
  readonly ui?: boolean;
}

const RELEASE_NAME = 'opencost';
const API_PORT = 9003;
const UI_PORT = 9090;

/**
 * Cost per team, project and namespace: OpenCost (pinned) on the platform's Prometheus (which scrapes it), pricing
 * nodes from the cloud's list prices (or fixed prices) with GPU cost from the GPU nodes' price and the DCGM
 * exporter's use, and allocating by the cost labels every namespace and pod the library creates carries
 * (CostAllocation keys). Restricted Pod Security, no ingress: the report says how to port-forward and which
 * aggregation to pick.
 *
 * @example
 * new CostMonitoring(stack, 'CostMonitoring', { cluster, monitoring });
 */
export class CostMonitoring extends Construct {
  /** Namespace of OpenCost. */
  public readonly namespace: string;
  /** The OpenCost release. */
  public readonly release: PinnedRelease;
  /** Shell command that forwards OpenCost's API (and UI, when on) to localhost. */
  public readonly portForwardCommand: string;
  /** Shell command that prints last week's cost per team. */
  public readonly costPerTeamCommand: string;

  constructor(scope: Construct, id: string, props: CostMonitoringProps) {
    super(scope, id);
    requireProps(this, props, '{ cluster, monitoring }');
    requireConstruct(this, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
      "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
    if (!(props.monitoring instanceof Monitoring)) {
      throw new ValidationError(this, 'monitoring', props.monitoring, 'must be the platform\'s Monitoring: OpenCost needs its Prometheus',
        "Pass e.g. new Monitoring(stack, 'Monitoring', { cluster, cloud }).");
    }
    const namespaceName = props.namespace ?? 'opencost';
    checkDnsLabel(this, 'namespace', namespaceName, 'namespace');
    if (['default', 'kube-system', 'kube-public', 'kube-node-lease', 'monitoring'].includes(namespaceName)) {
      throw new ValidationError(this, 'namespace', namespaceName, 'is a namespace Kubernetes or Monitoring already uses', 'Leave it unset ("opencost").');
    }
    validatePrices(this, props.customPrices);
    claimUnique(this, 'cluster', props.cluster.node.path, 'CostMonitoring per cluster', props.cluster.node.path,
      'Keep one CostMonitoring per cluster: two OpenCost instances would export the same cost metrics twice.');
    const stack = PlatformStack.ofConstruct(this);
    const labels = stack.costAllocation.tags;
    const ui = props.ui ?? false;
    const namespace = new PlatformNamespace(this, 'Namespace', { cluster: props.cluster, name: namespaceName, podSecurity: ui ? 'baseline' : 'restricted' });
    this.namespace = namespace.name;
    if (ui) {
      Annotations.of(this).addWarning(`${this.node.path}: the OpenCost UI runs nginx as root, so namespace ${namespaceName} enforces Pod Security "baseline", not "restricted".`);
    }
    const containerSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    const prices = props.customPrices;

    this.release = new PinnedRelease(this, 'Release', {
      cluster: props.cluster,
      chart: ChartCatalog.OPENCOST,
      releaseName: RELEASE_NAME,
      namespace: this.namespace,
      // Its ServiceMonitor needs the Prometheus operator's CRDs.
      dependsOn: [namespace.resource, props.monitoring.release.resource],
      values: {
        podLabels: labels,
        podSecurityContext: ui
          ? { seccompProfile: { type: 'RuntimeDefault' } }
          : { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, seccompProfile: { type: 'RuntimeDefault' } },
        service: { enabled: true, type: 'ClusterIP' },
        opencost: {
          exporter: {
            defaultClusterId: props.cluster.clusterName,
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
            securityContext: { ...containerSecurity, runAsNonRoot: true },
          },
          prometheus: {
            internal: {
              enabled: true, serviceName: props.monitoring.prometheusServiceName, namespaceName: props.monitoring.namespace, port: 9090, scheme: 'http',
            },
          },
          metrics: {
            // Prometheus must scrape OpenCost: allocation queries read the cost metrics it exports.
            serviceMonitor: { enabled: true, additionalLabels: labels, honorLabels: true },
          },
          ...(prices ? {
            customPricing: {
              enabled: true, createConfigmap: true, provider: 'custom',
              costModel: {
                description: 'cdktf-mlops custom prices (USD)',
                CPU: prices.cpuHourlyUsd, spotCPU: prices.cpuHourlyUsd, RAM: prices.ramGiBHourlyUsd, spotRAM: prices.ramGiBHourlyUsd,
                GPU: prices.gpuHourlyUsd, storage: prices.storageGbMonthlyUsd,
              },
            },
          } : {}),
          mcp: { enabled: false },
          ui: {
            enabled: ui,
            resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
            securityContext: containerSecurity,
            ingress: { enabled: false },
          },
        },
      },
    });

    const forwardPorts = ui ? `${API_PORT}:${API_PORT} ${UI_PORT}:${UI_PORT}` : `${API_PORT}:${API_PORT}`;
    this.portForwardCommand = `kubectl -n ${namespaceName} port-forward svc/${RELEASE_NAME} ${forwardPorts}`;
    this.costPerTeamCommand = `curl -s 'http://localhost:${API_PORT}/allocation/compute?window=7d&aggregate=label:${CostAllocation.TEAM_KEY}&accumulate=true' ` +
      "| jq '.data[0] | map_values({cpuCost, gpuCost, ramCost, pvCost, totalCost})'";
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Read cost per team (OpenCost)',
      detail: `OpenCost has no ingress. Forward its port, then ask for allocations aggregated by a cost label: \`aggregate=label:${CostAllocation.TEAM_KEY}\` ` +
        `for cost per team, \`aggregate=namespace\` per namespace, \`label:${CostAllocation.PROJECT_KEY}\` or \`label:${CostAllocation.COST_CENTER_KEY}\` for ` +
        `finance. Every namespace and pod the platform creates carries these labels; a team's own workloads must carry \`${CostAllocation.TEAM_KEY}\` ` +
        '(or run in a namespace that does). GPU cost is the GPU nodes\' price spread over the GPUs pods request; idle GPU capacity shows as `__idle__`. ' +
        (ui ? `The UI is at http://localhost:${UI_PORT} (choose "Aggregate by: Label" and the key \`${CostAllocation.TEAM_KEY}\`).` :
          'Set ui: true for the web UI.') + ' Allocation data builds up from the first scrapes: the first hour shows little.',
      command: `${this.portForwardCommand}\n${this.costPerTeamCommand}`,
    });
    stack.addComponent({
      path: this.node.path, name: 'CostMonitoring',
      description: `OpenCost ${ChartCatalog.OPENCOST.appVersion} (chart ${ChartCatalog.OPENCOST.version}) on the platform Prometheus, ` +
        `${prices ? 'custom prices' : 'cloud list prices for the nodes'}, allocation by ${stack.costAllocation.tagKeys.map((k) => `label:${k}`).join(', ')} ` +
        `and namespace; ${ui ? 'UI on (baseline namespace), ' : ''}not exposed outside the cluster; runs on the system nodes (no cost of its own)`,
    });
  }
}

function validatePrices(scope: Construct, prices: OpenCostCustomPrices | undefined): void {
  if (prices === undefined) {
    return;
  }
  if (prices === null || typeof prices !== 'object') {
    throw new ValidationError(scope, 'customPrices', prices, 'must be an object',
      'Pass e.g. { cpuHourlyUsd: 0.031, ramGiBHourlyUsd: 0.004, gpuHourlyUsd: 0.95, storageGbMonthlyUsd: 0.08 }, or leave it unset for list prices.');
  }
  for (const key of ['cpuHourlyUsd', 'ramGiBHourlyUsd', 'gpuHourlyUsd', 'storageGbMonthlyUsd'] as const) {
    if (prices[key] === undefined) {
      throw new ValidationError(scope, `customPrices.${key}`, undefined, 'is required with customPrices', 'Set every price, in USD.');
    }
    checkPositive(scope, `customPrices.${key}`, prices[key], 1000);
  }
}
