import { ITerraformDependable } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { IKubernetesCluster } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import {
  checkDnsLabel, checkInteger, claimUnique, isKubernetesCluster, isUnresolved, requireConstruct, requireList, requireProps,
} from '../core/validate';
import type { GpuNodePool } from '../gpu-node-pool';
import { ChartCatalog } from './chart-catalog';
import { DEVICE_PLUGIN_CONFIG_LABEL } from './gpu-operator';
import { ManifestChart } from './manifest-chart';
import { PinnedRelease } from './pinned-release';
import { PlatformNamespace } from './platform-namespace';

/** Kueue's custom resource API version in the pinned chart (v1beta2 is served and stored; v1beta1 is deprecated). */
const KUEUE_API = 'kueue.x-k8s.io/v1beta2';
/** Extended resource the NVIDIA device plugin advertises. */
const GPU_RESOURCE = 'nvidia.com/gpu';
/** The flavor for pods without GPUs: no node selector, no toleration, no GPU quota. */
const CPU_FLAVOR = 'cpu-default';

/** A GPU node pool Kueue hands out, and how far it scales. */
export interface KueueGpuPool {
  /** The pool: its `mlops/gpu-pool` node label selects its nodes, its catalog entry gives the GPUs per node. */
  readonly pool: GpuNodePool;
  /**
   * Most nodes the pool scales to: set it to the pool's `maxSize`. The GPUs Kueue may hand out on the pool are this
   * times the GPUs each node advertises (physical GPUs times the time-slicing replicas).
   */
  readonly maxNodes: number;
}

/** Properties of a {@link FairGpuScheduling}. */
export interface FairGpuSchedulingProps {
  /** The cluster. */
  readonly cluster: IKubernetesCluster;
  /** The GPU pools teams share; each becomes a Kueue ResourceFlavor. */
  readonly gpuPools: KueueGpuPool[];
  /**
   * Namespace of the Kueue controller.
   *
   * @default 'kueue-system'
   */
  readonly namespace?: string;
  /**
   * Name of the cohort every team's ClusterQueue joins: teams in one cohort lend each other idle quota.
   *
   * @default 'gpu-teams'
   */
  readonly cohort?: string;
  /**
   * Controller replicas. Kueue's admission webhooks fail closed for Jobs and pods in team namespaces, so a second
   * replica keeps job submission working while one restarts.
   *
   * @default 2
   */
  readonly replicas?: number;
}

/** A team's guaranteed share of one GPU pool. */
export interface TeamGpuShare {
  /** The pool (one of the FairGpuScheduling's gpuPools). */
  readonly pool: GpuNodePool;
  /** GPUs of the pool the team always gets back (Kueue nominal quota), at least 1. */
  readonly guaranteedGpus: number;
  /**
   * Most GPUs of the pool the team may borrow beyond its share while other teams leave them idle; borrowed GPUs
   * are reclaimed (their workloads preempted) when their owner needs them.
   *
   * @default - no limit: every idle GPU of the cohort
   */
  readonly borrowingLimitGpus?: number;
}

/** Options for {@link FairGpuScheduling.addTeamQueue}. */
export interface TeamQueueOptions {
  /** Team name (a DNS label): names the ClusterQueue `team-<name>` and the LocalQueue `<name>`. */
  readonly teamName: string;
  /** The team's namespace (the only one that may submit to its ClusterQueue). */
  readonly namespace: string;
  /** Guaranteed GPU shares, per pool. A pool not listed is still open for borrowing. */
  readonly gpuShares: TeamGpuShare[];
  /** CPU quota of the team (Kubernetes quantity), admitted per flavor; the namespace's ResourceQuota caps the total. */
  readonly cpu: string;
  /** Memory quota of the team (Kubernetes quantity). */
  readonly memory: string;
  /**
   * What the queues must wait for (the namespace).
   *
   * @default - only the Kueue flavors
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The queues of a team. */
export interface TeamQueue {
  /** Name of the LocalQueue in the team's namespace: workloads carry `kueue.x-k8s.io/queue-name: <this>`. */
  readonly localQueueName: string;
  /** Name of the team's ClusterQueue. */
  readonly clusterQueueName: string;
  /** The release holding both queues. */
  readonly chart: ManifestChart;
}

interface PoolFlavor {
  readonly pool: GpuNodePool;
  readonly name: string;
  readonly gpusPerNode: number;
  readonly capacity: number;
}

/**
 * Fair GPU sharing between teams with Kueue (pinned chart): one ResourceFlavor per GPU pool (its node label and
 * the `nvidia.com/gpu` toleration) plus a CPU flavor, and per team a ClusterQueue in one cohort whose nominal GPU
 * quota is the team's guaranteed share, that borrows idle GPUs of other teams and gets its own back by preemption
 * (`reclaimWithinCohort: Any`), and a LocalQueue in the team's namespace. Kueue manages only namespaces labelled
 * {@link FairGpuScheduling.MANAGED_NAMESPACE_LABEL} (team namespaces), never kube-system or platform services,
 * and only workloads that name a queue: Jobs, PyTorchJobs, RayJobs and RayClusters (when their operators are
 * installed), and plain pods with the queue label. Shares are checked against what the pools can hold at full
 * scale: a share above it, or shares adding up to more, fail synth naming the team.
 *
 * @example
 * const scheduling = new FairGpuScheduling(stack, 'GpuScheduling', { cluster, gpuPools: [{ pool, maxNodes: 8 }] });
 * new Team(stack, 'Research', { cluster, name: 'research', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 4 }] });
 */
export class FairGpuScheduling extends Construct {
  /** Namespace label that lets Kueue manage a namespace's workloads (its webhooks select on it). */
  public static readonly MANAGED_NAMESPACE_LABEL = 'mlops/kueue-managed';
  /** Label a workload sets to be queued. */
  public static readonly QUEUE_NAME_LABEL = 'kueue.x-k8s.io/queue-name';

  /** The Kueue release. */
  public readonly release: PinnedRelease;
  /** The ResourceFlavors. */
  public readonly flavors: ManifestChart;
  /** Namespace of the controller. */
  public readonly namespace: string;
  /** Cohort of the team queues. */
  public readonly cohort: string;
  /** GPUs the pools can hold at full scale, in total. */
  public readonly gpuCapacity: number;
  private readonly cluster: IKubernetesCluster;
  private readonly poolFlavors: PoolFlavor[];
  /** Guaranteed GPUs per flavor name, per team path. */
  private readonly shares = new Map<string, Array<{ team: string; gpus: number }>>();

  constructor(scope: Construct, id: string, props: FairGpuSchedulingProps) {
    super(scope, id);
    requireProps(this, props, '{ cluster, gpuPools: [{ pool, maxNodes: 4 }] }');
    requireConstruct(this, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
      "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
    requireList(this, 'gpuPools', props.gpuPools, { required: true, minLength: 1, example: '[{ pool: gpuPool, maxNodes: 4 }]' });
    this.cluster = props.cluster;
    this.namespace = props.namespace ?? 'kueue-system';
    this.cohort = props.cohort ?? 'gpu-teams';
    checkDnsLabel(this, 'namespace', this.namespace, 'namespace');
    checkDnsLabel(this, 'cohort', this.cohort, 'cohort');
    const replicas = props.replicas ?? 2;
    checkInteger(this, 'replicas', replicas, 1, 5);
    claimUnique(this, 'cluster', props.cluster.node.path, 'FairGpuScheduling per cluster', props.cluster.node.path,
      'Install Kueue once per cluster and add every team to that FairGpuScheduling.');
    this.poolFlavors = props.gpuPools.map((entry, i) => poolFlavor(this, `gpuPools[${i}]`, entry));
    this.poolFlavors.forEach((flavor, i) => {
      const earlier = this.poolFlavors.findIndex((f) => f.name === flavor.name);
      if (earlier !== i) {
        throw new ValidationError(this, `gpuPools[${i}].pool`, flavor.pool.node.path, `names the same pool (node label mlops/gpu-pool=${flavor.pool.nodeLabels['mlops/gpu-pool']}) as gpuPools[${earlier}]`,
          'List each GPU pool once.');
      }
    });
    this.gpuCapacity = this.poolFlavors.reduce((sum, f) => sum + f.capacity, 0);

    const namespace = new PlatformNamespace(this, 'Namespace', { cluster: props.cluster, name: this.namespace });
    this.release = new PinnedRelease(this, 'Release', {
      cluster: props.cluster,
      chart: ChartCatalog.KUEUE,
      releaseName: 'kueue',
      namespace: namespace.name,
      dependsOn: [namespace.resource],
      values: kueueValues(this.namespace, replicas),
    });
    // Custom resources after the release: its CRDs exist, and Helm waited for the controller (and with it the
    // webhooks that validate these objects) to be ready.
    this.flavors = new ManifestChart(this, 'Flavors', {
      cluster: props.cluster,
      releaseName: 'kueue-flavors',
      namespace: this.namespace,
      dependsOn: [this.release.resource],
      manifests: [
        { apiVersion: KUEUE_API, kind: 'ResourceFlavor', metadata: { name: CPU_FLAVOR }, spec: {} },
        ...this.poolFlavors.map((f) => ({
          apiVersion: KUEUE_API, kind: 'ResourceFlavor', metadata: { name: f.name },
          spec: {
            nodeLabels: { 'mlops/gpu-pool': f.pool.nodeLabels['mlops/gpu-pool'] },
            // GpuNodePool taints its nodes nvidia.com/gpu=true:NoSchedule; Kueue adds this toleration to admitted pods.
            tolerations: [{ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }],
          },
        })),
      ],
    });
    const stack = PlatformStack.ofConstruct(this);
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Queue GPU work through Kueue',
      detail: `Kueue admits only workloads that name their team's queue: set the label ${FairGpuScheduling.QUEUE_NAME_LABEL}: <team name> on a Job, ` +
        'PyTorchJob, RayJob or RayCluster (or a plain pod) in the team\'s namespace. A team gets its guaranteed GPUs back within seconds by ' +
        'preempting borrowers; `kubectl get clusterqueues` shows each team\'s usage and borrowing, `kubectl -n <team> get workloads` why work waits.',
      command: 'kubectl get clusterqueues',
    });
    stack.addComponent({
      path: this.node.path, name: 'FairGpuScheduling',
      description: `Kueue ${ChartCatalog.KUEUE.appVersion} (chart ${ChartCatalog.KUEUE.version}) in ${this.namespace}, cohort "${this.cohort}", ` +
        `${this.gpuCapacity} GPUs at full scale over ${this.poolFlavors.map((f) => `${f.name} (${f.capacity})`).join(', ')}`,
    });
  }

  /** ResourceFlavor name of a pool, or undefined when the pool is not one of gpuPools. */
  public flavorNameOf(pool: GpuNodePool): string | undefined {
    return this.poolFlavors.find((f) => f.pool === pool)?.name;
  }

  /** GPUs each node of a pool advertises (physical GPUs times time-slicing replicas), or 0 when the pool is not listed. */
  public gpusPerNodeOf(pool: GpuNodePool): number {
    return this.poolFlavors.find((f) => f.pool === pool)?.gpusPerNode ?? 0;
  }

  /** GPUs a pool can hold at full scale (maxNodes times the GPUs each node advertises), or 0 when not listed. */
  public gpuCapacityOf(pool: GpuNodePool): number {
    return this.poolFlavors.find((f) => f.pool === pool)?.capacity ?? 0;
  }

  /**
   * Adds a team's ClusterQueue (cohort member, nominal GPU quota = its guaranteed shares) and LocalQueue. Throws a
   * ValidationError on `scope` when a share is not a positive whole number, names a pool that is not scheduled,
   * exceeds what its pool (or the cluster) can hold, or brings the teams' guaranteed shares of a pool above it.
   */
  public addTeamQueue(scope: IConstruct, id: string, options: TeamQueueOptions): TeamQueue {
    checkDnsLabel(scope, 'name', options.teamName, 'team');
    requireList(scope, 'gpuShares', options.gpuShares, { example: '[{ pool, guaranteedGpus: 4 }]' });
    const quota = new Map<string, TeamGpuShare>();
    options.gpuShares.forEach((share, i) => {
      const at = `gpuShares[${i}]`;
      const flavor = this.poolFlavors.find((f) => f.pool === share.pool);
      if (!flavor) {
        throw new ValidationError(scope, `${at}.pool`, share.pool?.node?.path ?? share.pool, `is not one of the GPU pools of ${this.node.path}`,
          `Add it to gpuPools of that FairGpuScheduling, or use one of ${this.poolFlavors.map((f) => f.pool.node.path).join(', ')}.`);
      }
      if (quota.has(flavor.name)) {
        throw new ValidationError(scope, `${at}.pool`, share.pool.node.path, 'is listed twice', 'Give one share per pool.');
      }
      const gpus = share.guaranteedGpus;
      if (!isUnresolved(gpus) && (typeof gpus !== 'number' || !Number.isInteger(gpus) || gpus < 1)) {
        throw new ValidationError(scope, `${at}.guaranteedGpus`, gpus, 'must be a whole number of GPUs, at least 1',
          'Give the team the GPUs it must always get back; leave the pool out of gpuShares to let the team only borrow idle GPUs there.');
      }
      if (share.borrowingLimitGpus !== undefined) {
        checkInteger(scope, `${at}.borrowingLimitGpus`, share.borrowingLimitGpus, 0, 100000);
      }
      quota.set(flavor.name, share);
    });
    const total = [...quota.values()].reduce((sum, s) => sum + s.guaranteedGpus, 0);
    if (total > this.gpuCapacity) {
      throw new ValidationError(scope, 'gpuShares', `${total} GPUs`, `add up to more than the cluster's GPU capacity of ${this.gpuCapacity} GPUs at full scale`,
        'Lower the shares, or add GPU pools or raise their maxSize.');
    }
    options.gpuShares.forEach((share, i) => {
      const flavor = this.poolFlavors.find((f) => f.pool === share.pool)!;
      if (share.guaranteedGpus > flavor.capacity) {
        throw new ValidationError(scope, `gpuShares[${i}].guaranteedGpus`, share.guaranteedGpus,
          `is more than the ${flavor.capacity} GPUs pool ${flavor.pool.node.path} holds at full scale (${flavor.gpusPerNode} per node x ${flavorMaxNodes(flavor)} nodes)`,
          'Lower the share, or raise the pool\'s maxSize (and maxNodes in gpuPools).');
      }
    });
    for (const [flavorName, share] of quota) {
      const flavor = this.poolFlavors.find((f) => f.name === flavorName)!;
      const holders = this.shares.get(flavorName) ?? [];
      const held = holders.reduce((sum, h) => sum + h.gpus, 0);
      if (held + share.guaranteedGpus > flavor.capacity) {
        const i = options.gpuShares.indexOf(share);
        throw new ValidationError(scope, `gpuShares[${i}].guaranteedGpus`, share.guaranteedGpus,
          `brings the guaranteed shares of pool ${flavor.pool.node.path} to ${held + share.guaranteedGpus} GPUs (${holders.map((h) => `${h.team}: ${h.gpus}`).join(', ')}), ` +
          `more than the ${flavor.capacity} it holds at full scale`,
          'Guaranteed shares must fit the pool together (borrowing covers the rest): lower the shares, or raise the pool\'s maxSize.');
      }
    }
    for (const [flavorName, share] of quota) {
      this.shares.set(flavorName, [...(this.shares.get(flavorName) ?? []), { team: scope.node.path, gpus: share.guaranteedGpus }]);
    }

    const clusterQueueName = `team-${options.teamName}`;
    const clusterQueue = {
      apiVersion: KUEUE_API, kind: 'ClusterQueue', metadata: { name: clusterQueueName },
      spec: {
        cohortName: this.cohort,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': options.namespace } },
        queueingStrategy: 'BestEffortFIFO',
        preemption: {
          // Take lent GPUs back from any borrower, and let a team's urgent work displace its own lower-priority work.
          reclaimWithinCohort: 'Any',
          withinClusterQueue: 'LowerPriority',
          borrowWithinCohort: { policy: 'Never' },
        },
        // Two groups, so each resource gets its own flavor: CPU and memory from the CPU flavor (no node selector),
        // GPUs from a pool's flavor (its node label and toleration). A pod without GPUs never lands on a GPU node.
        resourceGroups: [
          {
            coveredResources: ['cpu', 'memory'],
            // The namespace's ResourceQuota is the team's ceiling: nothing to borrow beyond it.
            flavors: [{
              name: CPU_FLAVOR,
              resources: [
                { name: 'cpu', nominalQuota: options.cpu, borrowingLimit: '0' },
                { name: 'memory', nominalQuota: options.memory, borrowingLimit: '0' },
              ],
            }],
          },
          {
            coveredResources: [GPU_RESOURCE],
            flavors: this.poolFlavors.map((f) => {
              const share = quota.get(f.name);
              return {
                name: f.name,
                resources: [{
                  name: GPU_RESOURCE, nominalQuota: share?.guaranteedGpus ?? 0,
                  ...(share?.borrowingLimitGpus !== undefined ? { borrowingLimit: share.borrowingLimitGpus } : {}),
                }],
              };
            }),
          },
        ],
      },
    };
    const localQueue = {
      apiVersion: KUEUE_API, kind: 'LocalQueue', metadata: { name: options.teamName, namespace: options.namespace },
      spec: { clusterQueue: clusterQueueName },
    };
    const chart = new ManifestChart(scope as Construct, id, {
      cluster: this.cluster,
      releaseName: `kueue-queues-${options.teamName}`.slice(0, 53).replace(/-+$/, ''),
      namespace: options.namespace,
      dependsOn: [this.flavors.resource, ...(options.dependsOn ?? [])],
      manifests: [clusterQueue, localQueue],
    });
    return { localQueueName: options.teamName, clusterQueueName, chart };
  }
}

function flavorMaxNodes(flavor: PoolFlavor): number {
  return flavor.capacity / flavor.gpusPerNode;
}

/** The flavor of a pool: its name, the GPUs each node advertises and the pool's capacity at full scale. */
function poolFlavor(scope: Construct, at: string, entry: KueueGpuPool): PoolFlavor {
  const pool = entry?.pool;
  const label = pool?.nodeLabels?.['mlops/gpu-pool'];
  if (!pool || typeof label !== 'string' || typeof pool.spec?.gpuCount !== 'number') {
    throw new ValidationError(scope, `${at}.pool`, pool?.node?.path ?? pool, 'must be a GpuNodePool', "Pass e.g. { pool: new GpuNodePool(stack, 'Gpu', { cluster, instanceType: 'g6.xlarge' }), maxNodes: 4 }.");
  }
  checkInteger(scope, `${at}.maxNodes`, entry.maxNodes, 1, 1000);
  // A time-sliced pool's nodes advertise each GPU this many times (GpuOperator names the config `time-sliced-<n>`).
  const sliced = /^time-sliced-(\d+)$/.exec(pool.nodeLabels[DEVICE_PLUGIN_CONFIG_LABEL] ?? '');
  const gpusPerNode = pool.spec.gpuCount * (sliced ? Number(sliced[1]) : 1);
  return { pool, name: `gpu-${label}`.slice(0, 63).replace(/-+$/, ''), gpusPerNode, capacity: gpusPerNode * entry.maxNodes };
}

/** Values of the pinned Kueue chart. */
function kueueValues(namespace: string, replicas: number): { [key: string]: any } {
  const image = (name: string) => ({ repository: `registry.k8s.io/kueue/${name}`, tag: ChartCatalog.KUEUE.appVersion, pullPolicy: 'IfNotPresent' });
  const restricted = {
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
  // JSON is YAML: the chart parses this with fromYaml and adds its internal certificate settings.
  const configuration = {
    apiVersion: 'config.kueue.x-k8s.io/v1beta2',
    kind: 'Configuration',
    health: { healthProbeBindAddress: ':8081' },
    metrics: { bindAddress: ':8443' },
    webhook: { port: 9443 },
    leaderElection: { leaderElect: true, resourceName: 'c1f6bfd2.kueue.x-k8s.io' },
    controller: {
      groupKindConcurrency: {
        'Job.batch': 5, 'Pod': 5, 'Workload.kueue.x-k8s.io': 10, 'LocalQueue.kueue.x-k8s.io': 5,
        'ClusterQueue.kueue.x-k8s.io': 5, 'ResourceFlavor.kueue.x-k8s.io': 1,
      },
    },
    clientConnection: { qps: 300, burst: 500 },
    // Only workloads that name a queue are held; everything else schedules as before.
    manageJobsWithoutQueueName: false,
    // The chart puts this selector on every admission webhook: only team namespaces (opt-in label), never
    // kube-system or Kueue's own, so a Kueue outage cannot block platform pods.
    managedJobsNamespaceSelector: {
      matchLabels: { [FairGpuScheduling.MANAGED_NAMESPACE_LABEL]: 'true' },
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', namespace] }],
    },
    integrations: {
      // Frameworks whose CRDs are missing (Kubeflow training operator, KubeRay) are skipped until installed.
      frameworks: ['batch/job', 'kubeflow.org/pytorchjob', 'ray.io/rayjob', 'ray.io/raycluster', 'pod'],
    },
  };
  return {
    controllerManager: {
      replicas,
      manager: {
        image: image('kueue'),
        resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '512Mi' } },
        ...restricted,
      },
      podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
    },
    managerConfig: { controllerManagerConfigYaml: JSON.stringify(configuration, null, 2) },
    enableKueueViz: false,
    kueueViz: { backend: { image: image('kueueviz-backend') }, frontend: { image: image('kueueviz-frontend') } },
  };
}
