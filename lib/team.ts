import { LimitRangeV1 } from '@cdktf/provider-kubernetes/lib/limit-range-v1';
import { Labels } from '@cdktf/provider-kubernetes/lib/labels';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
import { ITerraformDependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { CostAllocation } from './core/cost-allocation';
import { ValidationError } from './core/errors';
import { IKubernetesCluster, NamespaceAccessLevel } from './core/interfaces';
import { PlatformStack } from './core/platform-stack';
import {
  checkCidr, checkDnsLabel, checkEnum, checkInteger, checkPattern, claimUnique, isKubernetesCluster, isUnresolved, requireConstruct, requireList, requireProps,
} from './core/validate';
import { FairGpuScheduling, TeamGpuShare, TeamQueue } from './k8s/kueue';

/** Pod Security Standard a team namespace enforces. */
export enum TeamPodSecurity {
  /** Non-root, no privilege escalation, seccomp, no capabilities: what ML workloads need and no more. */
  RESTRICTED = 'restricted',
  /** Blocks known privilege escalations but allows root containers (some vendor images need it). */
  BASELINE = 'baseline',
}

/** A platform service team workloads may reach through the default-deny network policy. */
export interface TeamServiceAccess {
  /** Namespace of the service. */
  readonly namespace: string;
  /** TCP ports of the service's pods (the target ports, not the Service ports). */
  readonly ports: number[];
}

/** An address range team workloads may reach outside the cluster. */
export interface TeamEgressRule {
  /** IPv4 CIDR block, e.g. a VPC endpoint's subnet or `169.254.170.23/32` (EKS Pod Identity agent). */
  readonly cidr: string;
  /** TCP port. */
  readonly port: number;
}

/** The namespace's ResourceQuota. */
export interface TeamQuota {
  /**
   * CPU requests, in total (Kubernetes quantity). Also the team's CPU quota in Kueue: a job must fit it to be admitted.
   *
   * @default - '32', or the vCPUs of the nodes the team's guaranteed GPU shares fill when that is more
   */
  readonly cpu?: string;
  /**
   * Memory requests, in total (Kubernetes quantity). Also the team's memory quota in Kueue.
   *
   * @default - '128Gi', or the memory of the nodes the team's guaranteed GPU shares fill when that is more
   */
  readonly memory?: string;
  /**
   * GPUs requested at once (`requests.nvidia.com/gpu`): the hard cap, borrowing included.
   *
   * @default - the GPU capacity of the FairGpuScheduling (guaranteed share plus what it may borrow), or 0 without one
   */
  readonly gpus?: number;
  /**
   * Pods.
   *
   * @default 200
   */
  readonly pods?: number;
  /**
   * Persistent volume storage requested, in total (Kubernetes quantity).
   *
   * @default '1Ti'
   */
  readonly storage?: string;
  /**
   * Persistent volume claims.
   *
   * @default 50
   */
  readonly persistentVolumeClaims?: number;
}

/** Defaults the namespace's LimitRange gives containers that set no requests or limits. */
export interface TeamContainerDefaults {
  /**
   * CPU request.
   *
   * @default '250m'
   */
  readonly cpuRequest?: string;
  /**
   * Memory request.
   *
   * @default '512Mi'
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit of containers that set none (no CPU limit: throttling hurts more than it protects). Kubernetes
   * rejects a container that requests more memory than this default limit without setting a limit of its own, so
   * keep it above what the team's training pods request, or leave it unset.
   *
   * @default - none: a container without a limit is limited by its node only
   */
  readonly memoryLimit?: string;
}

/** A team's settings apart from the cluster and its GPU scheduling (what a platform composition takes per team). */
export interface TeamOptions {
  /** Team name: a DNS label. Names the namespace (by default), the `team` cost label and the Kueue queues. */
  readonly name: string;
  /**
   * Namespace of the team.
   *
   * @default - the team name
   */
  readonly namespace?: string;
  /**
   * Cost center the team's namespace is billed to (the `cost-center` label).
   *
   * @default - the stack's cost center
   */
  readonly costCenter?: string;
  /**
   * Pod Security Standard enforced in the namespace.
   *
   * @default TeamPodSecurity.RESTRICTED
   */
  readonly podSecurity?: TeamPodSecurity;
  /**
   * ResourceQuota of the namespace.
   *
   * @default - see each TeamQuota field
   */
  readonly quota?: TeamQuota;
  /**
   * Requests and limits of containers that set none.
   *
   * @default - see each TeamContainerDefaults field
   */
  readonly containerDefaults?: TeamContainerDefaults;
  /**
   * Platform services the team's pods may reach; everything else in the cluster is denied (DNS is always allowed).
   *
   * @default - MLflow: namespace `mlflow`, port 5000
   */
  readonly allowedServices?: TeamServiceAccess[];
  /**
   * Addresses outside the cluster the team's pods may reach (TCP). Without a rule, pods reach nothing outside the
   * namespace but DNS and the allowed services: list the cloud's API endpoints (or their VPC endpoints) and, on
   * EKS, the Pod Identity agent (`169.254.170.23/32`, port 80) for pods that use a workload identity.
   *
   * @default - none
   */
  readonly egress?: TeamEgressRule[];
  /**
   * Cloud principals (IAM role ARNs on AWS) with `admin` in the namespace (role bindings included).
   *
   * @default - none
   */
  readonly adminPrincipals?: string[];
  /**
   * Cloud principals with `edit` in the namespace (workloads, no role bindings).
   *
   * @default - none
   */
  readonly editorPrincipals?: string[];
  /**
   * Cloud principals with `view` in the namespace (read, no secrets).
   *
   * @default - none
   */
  readonly viewerPrincipals?: string[];
}

/** Properties of a {@link Team}. */
export interface TeamProps extends TeamOptions {
  /** The cluster. */
  readonly cluster: IKubernetesCluster;
  /**
   * Kueue installation the team's queues go to.
   *
   * @default - no queues: the team's GPUs are limited by the ResourceQuota only, without fair sharing
   */
  readonly gpuScheduling?: FairGpuScheduling;
  /**
   * Guaranteed GPU shares, per pool of `gpuScheduling`.
   *
   * @default - none: the team only borrows idle GPUs
   */
  readonly gpuShares?: TeamGpuShare[];
}

/** Namespaces Kubernetes or the library's own components use; a team may not take them. */
const RESERVED_NAMESPACES = [
  'default', 'kube-system', 'kube-public', 'kube-node-lease', 'external-secrets', 'gpu-operator', 'velero', 'kueue-system', 'mlflow',
  'monitoring', 'opencost', 'logging', 'karpenter',
];

/**
 * A team's tenancy on a shared cluster: its own namespace labelled with the stack's cost allocation, but with
 * `team` set to the team's name (and optionally its own cost center), so OpenCost and the report allocate the
 * team's pods to it; Pod Security (`restricted` by default); a ResourceQuota including `requests.nvidia.com/gpu`;
 * LimitRange defaults; a default-deny NetworkPolicy (ingress and egress) that lets pods talk inside the namespace,
 * to DNS and to the listed platform services; access for the cloud principals the team lists (EKS access entries
 * scoped to the namespace on AWS); and, with a FairGpuScheduling, a Kueue LocalQueue on the team's ClusterQueue.
 *
 * @example
 * new Team(stack, 'Research', {
 *   cluster, name: 'research', editorPrincipals: ['arn:aws:iam::111122223333:role/research'],
 *   gpuScheduling: scheduling, gpuShares: [{ pool: gpuPool, guaranteedGpus: 4 }],
 * });
 */
export class Team extends Construct {
  /** Team name. */
  public readonly name: string;
  /** Namespace name. */
  public readonly namespace: string;
  /** The namespace (or, for a namespace that existed before, its labels). */
  public readonly namespaceResource: TerraformResource;
  /** Labels on the namespace: the cost allocation with the team's values, and Pod Security. */
  public readonly namespaceLabels: { [key: string]: string };
  /** The ResourceQuota. */
  public readonly resourceQuota: ResourceQuotaV1;
  /** The LimitRange. */
  public readonly limitRange: LimitRangeV1;
  /** The default-deny NetworkPolicy and its allowances. */
  public readonly networkPolicy: NetworkPolicyV1;
  /** The team's queues, when it has a FairGpuScheduling. */
  public readonly queue?: TeamQueue;
  /** Label workloads set to be queued (`kueue.x-k8s.io/queue-name: <value>`), when the team has queues. */
  public readonly queueName?: string;

  constructor(scope: Construct, id: string, props: TeamProps) {
    super(scope, id);
    validateTeamInput(this, props);
    const { cluster } = props;
    this.name = props.name;
    this.namespace = props.namespace ?? props.name;
    checkDnsLabel(this, 'name', props.name, 'team');
    checkDnsLabel(this, 'namespace', this.namespace, 'namespace');
    if (RESERVED_NAMESPACES.includes(this.namespace)) {
      throw new ValidationError(this, props.namespace === undefined ? 'name' : 'namespace', this.namespace,
        'is a namespace Kubernetes or a platform component uses', 'Give the team a namespace of its own, e.g. "team-research".');
    }
    // One team per name and per namespace of a cluster: two would fight over the same quota and queues.
    claimUnique(this, 'name', props.name, 'Team name on a cluster', `${cluster.node.path}\u0000${props.name}`,
      'Give each team its own name.');
    claimUnique(this, 'namespace', this.namespace, 'Team namespace on a cluster', `${cluster.node.path}\u0000${this.namespace}`,
      'Give each team its own namespace.');
    checkEnum(this, 'podSecurity', props.podSecurity, TeamPodSecurity, 'TeamPodSecurity');
    if (props.costCenter !== undefined) {
      checkPattern(this, 'costCenter', props.costCenter, /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/,
        '1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (valid as a tag and a label)');
    }
    if (props.gpuShares !== undefined && props.gpuShares.length > 0 && props.gpuScheduling === undefined) {
      throw new ValidationError(this, 'gpuShares', `${props.gpuShares.length} share(s)`, 'needs gpuScheduling: shares are Kueue quotas',
        'Pass the cluster\'s FairGpuScheduling as gpuScheduling.');
    }
    const stack = PlatformStack.ofConstruct(this);

    // Quota and defaults first: validation throws before any resource is made.
    const quota = props.quota ?? {};
    // A job sized to the nodes its guaranteed GPUs come on must fit the CPU and memory quota (Kueue admits against
    // the same numbers), or the guaranteed GPUs stay unused: 8 L40S GPUs come with 96 vCPUs and 768 GiB.
    const shareNodes = guaranteedNodeResources(props.gpuScheduling, props.gpuShares);
    const cpu = quota.cpu ?? String(Math.max(32, shareNodes.vcpus));
    const memory = quota.memory ?? `${Math.max(128, shareNodes.memoryGiB)}Gi`;
    const storage = quota.storage ?? '1Ti';
    const defaults = props.containerDefaults ?? {};
    checkQuantity(this, 'quota.cpu', cpu);
    checkQuantity(this, 'quota.memory', memory);
    checkQuantity(this, 'quota.storage', storage);
    const pods = quota.pods ?? 200;
    const pvcs = quota.persistentVolumeClaims ?? 50;
    checkInteger(this, 'quota.pods', pods, 1, 100000);
    checkInteger(this, 'quota.persistentVolumeClaims', pvcs, 0, 100000);
    const gpus = quota.gpus ?? props.gpuScheduling?.gpuCapacity ?? 0;
    checkInteger(this, 'quota.gpus', gpus, 0, 100000);
    const cpuRequest = defaults.cpuRequest ?? '250m';
    const memoryRequest = defaults.memoryRequest ?? '512Mi';
    // No default limit unless asked: a container requesting 32Gi without a limit would get the default as its limit
    // and be rejected (request above limit), which is what ML pods that only set requests do.
    const memoryLimit = defaults.memoryLimit;
    checkQuantity(this, 'containerDefaults.cpuRequest', cpuRequest);
    checkQuantity(this, 'containerDefaults.memoryRequest', memoryRequest);
    if (memoryLimit !== undefined) {
      checkQuantity(this, 'containerDefaults.memoryLimit', memoryLimit);
    }
    const services = props.allowedServices ?? [{ namespace: 'mlflow', ports: [5000] }];
    requireList(this, 'allowedServices', services, { example: "[{ namespace: 'mlflow', ports: [5000] }]" });
    services.forEach((s, i) => {
      checkDnsLabel(this, `allowedServices[${i}].namespace`, s.namespace, 'namespace');
      requireList(this, `allowedServices[${i}].ports`, s.ports, { required: true, minLength: 1, example: '[5000]' });
      s.ports.forEach((p, j) => checkInteger(this, `allowedServices[${i}].ports[${j}]`, p, 1, 65535));
    });
    const egress = props.egress ?? [];
    requireList(this, 'egress', egress, { example: "[{ cidr: '169.254.170.23/32', port: 80 }]" });
    egress.forEach((rule, i) => {
      checkCidr(this, `egress[${i}].cidr`, rule.cidr, 0, 32);
      checkInteger(this, `egress[${i}].port`, rule.port, 1, 65535);
    });

    const podSecurity = props.podSecurity ?? TeamPodSecurity.RESTRICTED;
    this.namespaceLabels = {
      ...stack.costAllocation.tags,
      [CostAllocation.TEAM_KEY]: props.name,
      ...(props.costCenter !== undefined ? { [CostAllocation.COST_CENTER_KEY]: props.costCenter } : {}),
      'pod-security.kubernetes.io/enforce': podSecurity,
      ...(props.gpuScheduling ? { [FairGpuScheduling.MANAGED_NAMESPACE_LABEL]: 'true' } : {}),
    };
    const provider = cluster.kubernetesProvider;
    if (cluster.existingNamespaces.includes(this.namespace)) {
      // Labelled, not created: creating it would fail, importing it would let destroy delete what runs there.
      this.namespaceResource = new Labels(this, 'AdoptedLabels', {
        provider, dependsOn: cluster.workloadPrerequisites, apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace },
        labels: this.namespaceLabels, force: true,
      });
    } else {
      this.namespaceResource = new NamespaceV1(this, 'Namespace', {
        provider, dependsOn: cluster.workloadPrerequisites, metadata: { name: this.namespace, labels: this.namespaceLabels },
      });
    }
    const after: ITerraformDependable[] = [this.namespaceResource];
    const metadata = (name: string) => ({ name, namespace: this.namespace, labels: { [CostAllocation.TEAM_KEY]: props.name } });

    this.resourceQuota = new ResourceQuotaV1(this, 'Quota', {
      provider, dependsOn: after, metadata: metadata('team-quota'),
      spec: {
        hard: {
          'requests.cpu': cpu,
          'requests.memory': memory,
          'requests.nvidia.com/gpu': String(gpus),
          'pods': String(pods),
          'requests.storage': storage,
          'persistentvolumeclaims': String(pvcs),
        },
      },
    });
    this.limitRange = new LimitRangeV1(this, 'LimitRange', {
      provider, dependsOn: after, metadata: metadata('team-defaults'),
      spec: {
        limit: [{
          type: 'Container',
          defaultRequest: { cpu: cpuRequest, memory: memoryRequest },
          ...(memoryLimit !== undefined ? { default: { memory: memoryLimit } } : {}),
        }],
      },
    });
    this.networkPolicy = new NetworkPolicyV1(this, 'NetworkPolicy', {
      provider, dependsOn: after, metadata: metadata('team-default-deny'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        // Pods of the namespace talk to each other (distributed training, Ray); nothing else gets in.
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [
          { to: [{ podSelector: {} }] },
          {
            to: [{
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            }],
            ports: [{ protocol: 'UDP', port: '53' }, { protocol: 'TCP', port: '53' }],
          },
          ...services.map((s) => ({
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } } }],
            ports: s.ports.map((p) => ({ protocol: 'TCP', port: String(p) })),
          })),
          ...egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: [{ protocol: 'TCP', port: String(rule.port) }] })),
        ],
      },
    });

    const grants: Array<[string, string[] | undefined, NamespaceAccessLevel]> = [
      ['Admins', props.adminPrincipals, NamespaceAccessLevel.ADMIN],
      ['Editors', props.editorPrincipals, NamespaceAccessLevel.EDIT],
      ['Viewers', props.viewerPrincipals, NamespaceAccessLevel.VIEW],
    ];
    for (const [groupId, principals, accessLevel] of grants) {
      if (principals !== undefined && principals.length > 0) {
        // A construct per level, so an error names it: [.../Team/Editors] principals[0] ...
        cluster.grantNamespaceAccess(new Construct(this, groupId), 'Access', { namespace: this.namespace, principals, accessLevel });
      }
    }

    if (props.gpuScheduling) {
      this.queue = props.gpuScheduling.addTeamQueue(this, 'Queues', {
        teamName: props.name, namespace: this.namespace, gpuShares: props.gpuShares ?? [], cpu, memory, dependsOn: after,
      });
      this.queueName = this.queue.localQueueName;
    }

    const shares = (props.gpuShares ?? []).map((s) => `${s.guaranteedGpus} on ${s.pool.node.id}`).join(', ');
    stack.addComponent({
      path: this.node.path, name: 'Team',
      description: `namespace ${this.namespace} (${podSecurity}), quota ${cpu} CPU / ${memory} / ${gpus} GPUs, billed as team=${props.name}` +
        (this.queueName ? `, Kueue queue "${this.queueName}"${shares ? ` with ${shares} guaranteed` : ' (borrowing only)'}` : ''),
    });
  }
}

/** vCPUs and memory of the nodes a team's guaranteed GPU shares fill (shares that do not check out count for nothing). */
function guaranteedNodeResources(scheduling: FairGpuScheduling | undefined, shares: TeamGpuShare[] | undefined): { vcpus: number; memoryGiB: number } {
  let vcpus = 0;
  let memoryGiB = 0;
  for (const share of Array.isArray(shares) ? shares : []) {
    const perNode = scheduling !== undefined && share?.pool !== undefined ? scheduling.gpusPerNodeOf(share.pool) : 0;
    const gpus = share?.guaranteedGpus;
    if (perNode > 0 && !isUnresolved(gpus) && typeof gpus === 'number' && Number.isInteger(gpus) && gpus > 0) {
      const nodes = Math.ceil(gpus / perNode);
      vcpus += nodes * share.pool.spec.vcpus;
      memoryGiB += nodes * share.pool.spec.memoryGiB;
    }
  }
  return { vcpus, memoryGiB };
}

const QUANTITY = /^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** Throws unless `value` is a Kubernetes resource quantity such as `500m`, `4` or `16Gi`. */
function checkQuantity(scope: Construct, prop: string, value: string): void {
  if (isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !QUANTITY.test(value) || !/^[0-9]/.test(value)) {
    throw new ValidationError(scope, prop, value, 'is not a Kubernetes quantity', 'Use e.g. "500m" or "8" for CPU, "16Gi" for memory and storage.');
  }
}

/** Checks the kinds of the props before the constructor reads them. */
function validateTeamInput(scope: Construct, props: TeamProps): void {
  requireProps(scope, props, "{ cluster, name: 'research' }");
  requireConstruct(scope, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
    "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
  if (props.gpuScheduling !== undefined) {
    requireConstruct(scope, 'gpuScheduling', props.gpuScheduling, 'a FairGpuScheduling', (v) => v instanceof FairGpuScheduling,
      "Pass e.g. new FairGpuScheduling(stack, 'GpuScheduling', { cluster, gpuPools }).");
  }
  for (const prop of ['adminPrincipals', 'editorPrincipals', 'viewerPrincipals', 'gpuShares'] as const) {
    requireList(scope, prop, props[prop], { example: prop === 'gpuShares' ? '[{ pool, guaranteedGpus: 4 }]' : "['arn:aws:iam::111122223333:role/research']" });
  }
}
