import { Construct } from 'constructs';
import { ILogDestination, IKubernetesCluster, IWorkloadIdentity, LogSource } from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { checkDnsLabel, checkPattern, claimUnique, isKubernetesCluster, requireConstruct, requireList, requireProps } from '../core/validate';
import { ChartCatalog } from './chart-catalog';
import { PinnedRelease } from './pinned-release';
import { PlatformNamespace } from './platform-namespace';

/** Properties of a {@link LogShipping}. */
export interface LogShippingProps {
  /** The cluster whose logs are shipped. */
  readonly cluster: IKubernetesCluster;
  /** Where the logs go (e.g. a CloudWatchLogDestination). */
  readonly destination: ILogDestination;
  /**
   * Namespace of the shipper. It enforces Pod Security `privileged`: reading the nodes' `/var/log` needs hostPath
   * volumes, which `baseline` and `restricted` forbid, so the agent gets a namespace of its own.
   *
   * @default 'logging'
   */
  readonly namespace?: string;
  /**
   * systemd units whose journal is shipped as node logs.
   *
   * @default ['kubelet.service', 'containerd.service']
   */
  readonly nodeUnits?: string[];
}

const SERVICE_ACCOUNT = 'fluent-bit';
const STATE_DIR = '/var/fluent-bit/state';

/**
 * Container and node logs shipped to the cloud's log service by Fluent Bit (pinned `fluent-bit` chart) running as
 * a DaemonSet on every node, GPU nodes included. Container logs are tailed from `/var/log/containers` and enriched
 * by the kubernetes filter with pod labels and the namespace's labels; node logs come from the journal (kubelet,
 * containerd). Every record carries the cost allocation as top-level fields (`cost-center`, `team`, `project`,
 * `environment`): the namespace's labels where it has them (a Team's namespace names the team), else the stack's.
 * Fluent Bit runs as a workload identity that may only write to the destination, non-privileged, with all
 * capabilities dropped and a read-only root filesystem, in a `privileged` namespace of its own (for its hostPath
 * volumes).
 *
 * @example
 * const logs = new CloudWatchLogDestination(stack, 'Logs', { cloud, clusterName: cluster.clusterName });
 * new LogShipping(stack, 'LogShipping', { cluster, destination: logs });
 */
export class LogShipping extends Construct {
  /** The Fluent Bit release. */
  public readonly release: PinnedRelease;
  /** Identity Fluent Bit runs as. */
  public readonly identity: IWorkloadIdentity;
  /** Namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: LogShippingProps) {
    super(scope, id);
    requireProps(this, props, '{ cluster, destination }');
    requireConstruct(this, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
      "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
    requireConstruct(this, 'destination', props.destination, 'a log destination (ILogDestination, e.g. a CloudWatchLogDestination)',
      (v) => v !== null && typeof v === 'object' && typeof v.fluentBitOutput === 'function' && typeof v.grantWrite === 'function',
      "Pass e.g. new CloudWatchLogDestination(stack, 'Logs', { cloud, clusterName: cluster.clusterName }).");
    const namespaceName = props.namespace ?? 'logging';
    checkDnsLabel(this, 'namespace', namespaceName, 'namespace');
    const units = props.nodeUnits ?? ['kubelet.service', 'containerd.service'];
    requireList(this, 'nodeUnits', units, { required: true, minLength: 1, example: "['kubelet.service']" });
    units.forEach((u, i) => checkPattern(this, `nodeUnits[${i}]`, u, /^[A-Za-z0-9:_.@-]+\.(service|socket|scope)$/, 'a systemd unit name such as "kubelet.service"'));
    claimUnique(this, 'cluster', props.cluster.node.path, 'LogShipping per cluster', props.cluster.node.path,
      'Ship a cluster\'s logs once: two DaemonSets would send every line twice.');
    const { cluster, destination } = props;
    const stack = PlatformStack.ofConstruct(this);

    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: namespaceName, podSecurity: 'privileged' });
    this.namespace = namespace.name;
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: this.namespace, serviceAccountName: SERVICE_ACCOUNT });
    destination.grantWrite(this.identity);
    const costTags = stack.costAllocation.tags;

    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.FLUENT_BIT,
      releaseName: 'fluent-bit',
      namespace: this.namespace,
      dependsOn: [namespace.resource, ...this.identity.prerequisites, ...destination.prerequisites],
      values: {
        kind: 'DaemonSet',
        image: { repository: 'cr.fluentbit.io/fluent/fluent-bit', tag: ChartCatalog.FLUENT_BIT.appVersion, pullPolicy: 'IfNotPresent' },
        testFramework: { enabled: false },
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        rbac: { create: true },
        // Root to read the nodes' root-owned log files, but nothing else: no privilege, no capabilities, no writes
        // outside the state directory.
        podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: {
          runAsUser: 0, runAsNonRoot: false, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        // Every node, GPU nodes (tainted nvidia.com/gpu) included.
        tolerations: [{ operator: 'Exists' }],
        priorityClassName: 'system-node-critical',
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        podLabels: costTags,
        daemonSetVolumes: [
          { name: 'varlog', hostPath: { path: '/var/log' } },
          { name: 'state', hostPath: { path: STATE_DIR, type: 'DirectoryOrCreate' } },
          { name: 'etcmachineid', hostPath: { path: '/etc/machine-id', type: 'File' } },
        ],
        daemonSetVolumeMounts: [
          { name: 'varlog', mountPath: '/var/log', readOnly: true },
          { name: 'state', mountPath: STATE_DIR },
          { name: 'etcmachineid', mountPath: '/etc/machine-id', readOnly: true },
        ],
        luaScripts: { 'cost_allocation.lua': costAllocationScript(costTags) },
        config: {
          inputs: inputs(units),
          filters: FILTERS,
          outputs: destination.fluentBitOutput(LogSource.CONTAINERS, 'kube.*') + destination.fluentBitOutput(LogSource.NODES, 'host.*'),
        },
      },
    });
    stack.addComponent({
      path: this.node.path, name: 'LogShipping',
      description: `Fluent Bit ${ChartCatalog.FLUENT_BIT.appVersion} (chart ${ChartCatalog.FLUENT_BIT.version}) on every node in ${namespaceName}: ` +
        `container logs and ${units.join(', ')} to ${destination.description}, records carry the cost allocation`,
    });
  }
}

/** Tail container logs (offsets kept on the node, so a restart neither loses nor repeats lines) and the journal. */
function inputs(units: string[]): string {
  return [
    '[INPUT]',
    '    Name tail',
    '    Path /var/log/containers/*.log',
    '    multiline.parser cri, docker',
    '    Tag kube.*',
    `    DB ${STATE_DIR}/containers.db`,
    '    Mem_Buf_Limit 50MB',
    '    Skip_Long_Lines On',
    '    Refresh_Interval 10',
    '[INPUT]',
    '    Name systemd',
    '    Tag host.*',
    ...units.map((u) => `    Systemd_Filter _SYSTEMD_UNIT=${u}`),
    `    DB ${STATE_DIR}/systemd.db`,
    '    Read_From_Tail On',
    '',
  ].join('\n');
}

/** Pod metadata and namespace labels on container records, then the cost allocation on every record. */
const FILTERS = [
  '[FILTER]',
  '    Name kubernetes',
  '    Match kube.*',
  '    Merge_Log On',
  // Application JSON goes under `app`, so it cannot overwrite the cost fields.
  '    Merge_Log_Key app',
  '    Keep_Log Off',
  '    K8S-Logging.Parser On',
  '    K8S-Logging.Exclude On',
  '    Labels On',
  '    Annotations Off',
  '    Namespace_Labels On',
  '[FILTER]',
  '    Name lua',
  '    Match *',
  '    script /fluent-bit/scripts/cost_allocation.lua',
  '    call cost_allocation',
  '',
].join('\n');

/**
 * Lua filter: the cost allocation keys from the record's namespace labels, else the stack's values. Written
 * without double braces, since the chart renders scripts as templates.
 */
function costAllocationScript(tags: { [key: string]: string }): string {
  const defaults = Object.entries(tags).map(([k, v]) => `  [${JSON.stringify(k)}] = ${JSON.stringify(v)},`);
  return [
    'local defaults = {',
    ...defaults,
    '}',
    'function cost_allocation(tag, timestamp, record)',
    '  local labels = nil',
    '  if type(record["kubernetes"]) == "table" then',
    '    labels = record["kubernetes"]["namespace_labels"]',
    '  end',
    '  for key, value in pairs(defaults) do',
    '    if type(labels) == "table" and labels[key] ~= nil then',
    '      record[key] = labels[key]',
    '    else',
    '      record[key] = value',
    '    end',
    '  end',
    '  return 2, timestamp, record',
    'end',
    '',
  ].join('\n');
}
