import { Construct } from 'constructs';
import { CpuArchitecture, GpuSpec, IGpuCatalog } from './core/gpu-catalog';
import { CostUnit, HOURS_PER_MONTH } from './core/cost-estimate';
import { ValidationError } from './core/errors';
import { IGpuNodeGroup, IKubernetesCluster } from './core/interfaces';
import { PlatformStack } from './core/platform-stack';
import { checkEnum, checkInteger, checkKubernetesLabels, isKubernetesCluster, isUnresolved, requireConstruct, requireProps } from './core/validate';
import { DEVICE_PLUGIN_CONFIG_LABEL, GpuOperator, MigStrategy } from './k8s/gpu-operator';

/** Node labels the pool (and the cluster's node groups) set themselves; a user label with one of these keys would be lost. */
const POOL_LABEL_KEYS = ['mlops/gpu-pool', 'mlops/gpu-model', 'mlops/gpu-count', 'mlops/gpu-memory-gib', DEVICE_PLUGIN_CONFIG_LABEL];

/** Whether nodes are bought on-demand or on the spot market. */
export enum CapacityType {
  /** On-demand: never reclaimed. */
  ON_DEMAND = 'ON_DEMAND',
  /** Spot: up to ~70% cheaper, reclaimed with two minutes' notice. Fine for restartable training. */
  SPOT = 'SPOT',
}

/** Options for GPU capacity, as given to `GpuNodePool` or a cluster helper. */
export interface GpuNodePoolOptions {
  /** GPU instance type from the catalog, e.g. `g5.xlarge`. */
  readonly instanceType: string;
  /**
   * Minimum nodes. 0 lets the pool scale to zero when no GPU pod is pending.
   *
   * @default 0
   */
  readonly minSize?: number;
  /**
   * Maximum nodes.
   *
   * @default 4
   */
  readonly maxSize?: number;
  /**
   * Spot or on-demand.
   *
   * @default CapacityType.ON_DEMAND
   */
  readonly capacityType?: CapacityType;
  /**
   * Root volume size in GiB (container images of ML frameworks are large).
   *
   * @default 200
   */
  readonly diskSizeGiB?: number;
  /**
   * Share each GPU between this many pods by time-slicing (no memory isolation).
   *
   * @default - no sharing
   */
  readonly timeSlicingReplicas?: number;
  /**
   * MIG strategy, for MIG-capable GPUs (A100, H100, H200, B200) only.
   *
   * @default MigStrategy.SINGLE on the operator, unused on GPUs without MIG
   */
  readonly migStrategy?: MigStrategy;
  /**
   * EC2 capacity reservation to launch into.
   *
   * @default - none
   */
  readonly capacityReservationId?: string;
  /**
   * Extra Kubernetes labels for the nodes.
   *
   * @default - only the labels the pool sets
   */
  readonly labels?: { [key: string]: string };
}

/** Properties of a {@link GpuNodePool}. */
export interface GpuNodePoolProps extends GpuNodePoolOptions {
  /** The cluster to add GPU nodes to. */
  readonly cluster: IKubernetesCluster;
}

/**
 * GPU capacity on a cluster: nodes of a catalog-checked NVIDIA instance type on an AMI that ships the driver,
 * tainted `nvidia.com/gpu=true:NoSchedule` so only GPU workloads land there, labelled with the GPU model,
 * scaling to zero by default, with the NVIDIA GPU operator (DCGM exporter on) and optional time-slicing.
 *
 * @example
 * new GpuNodePool(stack, 'TrainingGpus', { cluster, instanceType: 'g6e.2xlarge', maxSize: 8, capacityType: CapacityType.SPOT });
 */
export class GpuNodePool extends Construct {
  /** The instance type's catalog entry. */
  public readonly spec: GpuSpec;
  /** The node group. */
  public readonly nodeGroup: IGpuNodeGroup;
  /** Labels on every node of the pool (use them in nodeSelectors). */
  public readonly nodeLabels: { [key: string]: string };

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    requireProps(this, props, "{ cluster, instanceType: 'g6.xlarge' }");
    requireConstruct(this, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
      "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
    const catalog: IGpuCatalog = props.cluster.gpuCatalog;
    this.spec = lookupGpu(this, catalog, props.instanceType);
    const minSize = props.minSize ?? 0;
    const maxSize = props.maxSize ?? 4;
    checkInteger(this, 'minSize', minSize, 0, 1000);
    checkInteger(this, 'maxSize', maxSize, 1, 1000);
    if (minSize > maxSize) {
      throw new ValidationError(this, 'minSize', minSize, `is greater than maxSize (${maxSize})`, 'Set minSize at most maxSize.');
    }
    const diskSizeGiB = props.diskSizeGiB ?? 200;
    checkInteger(this, 'diskSizeGiB', diskSizeGiB, 50, 16384);
    checkEnum(this, 'capacityType', props.capacityType, CapacityType, 'CapacityType');
    checkEnum(this, 'migStrategy', props.migStrategy, MigStrategy, 'MigStrategy');
    if (props.timeSlicingReplicas !== undefined) {
      checkInteger(this, 'timeSlicingReplicas', props.timeSlicingReplicas, 2, 48);
    }
    if (props.migStrategy !== undefined && props.migStrategy !== MigStrategy.NONE && !this.spec.migCapable) {
      throw new ValidationError(this, 'migStrategy', props.migStrategy, `needs a MIG-capable GPU, and ${this.spec.instanceType} has ${this.spec.gpuModel}`,
        catalog.migHint());
    }
    if (props.migStrategy !== undefined && props.migStrategy !== MigStrategy.NONE && props.timeSlicingReplicas !== undefined) {
      throw new ValidationError(this, 'timeSlicingReplicas', props.timeSlicingReplicas, 'cannot be combined with migStrategy',
        'Choose one way to share GPUs.');
    }
    catalog.checkPoolRequest(this, {
      spec: this.spec, spot: props.capacityType === CapacityType.SPOT, capacityReservationId: props.capacityReservationId,
      timeSlicingReplicas: props.timeSlicingReplicas, mig: props.migStrategy !== undefined && props.migStrategy !== MigStrategy.NONE,
    });
    if (props.capacityReservationId !== undefined && props.capacityType === CapacityType.SPOT) {
      throw new ValidationError(this, 'capacityReservationId', props.capacityReservationId,
        'cannot be combined with capacityType SPOT: a capacity reservation holds on-demand capacity',
        'Use CapacityType.ON_DEMAND to launch into the reservation, or drop the reservation for a spot pool.');
    }
    checkKubernetesLabels(this, 'labels', props.labels, { onNodes: true, reservedKeys: [...POOL_LABEL_KEYS, ...catalog.reservedNodeLabelKeys] });

    const operator = GpuOperator.of(props.cluster);
    if (props.migStrategy !== undefined) {
      operator.useMigStrategy(props.migStrategy, this);
    }
    this.nodeLabels = {
      ...props.labels,
      'mlops/gpu-pool': id.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/^-+|-+$/g, ''),
      'mlops/gpu-model': this.spec.gpuModel,
      'mlops/gpu-count': String(this.spec.gpuCount),
      'mlops/gpu-memory-gib': String(this.spec.gpuMemoryGiB),
      ...(props.timeSlicingReplicas !== undefined ? { [DEVICE_PLUGIN_CONFIG_LABEL]: operator.addTimeSlicing(props.timeSlicingReplicas) } : {}),
    };
    this.nodeGroup = props.cluster.addGpuNodeGroup(this, 'NodeGroup', {
      instanceType: this.spec.instanceType,
      minSize, maxSize, desiredSize: minSize,
      spot: props.capacityType === CapacityType.SPOT,
      diskSizeGiB,
      labels: this.nodeLabels,
      arm64: this.spec.architecture === CpuArchitecture.ARM64,
      gpuModel: this.spec.gpuModel,
      advertisedGpusPerNode: this.spec.gpuCount * (props.timeSlicingReplicas ?? 1),
      poolName: id,
      capacityReservationId: props.capacityReservationId,
      timeSlicingReplicas: props.timeSlicingReplicas,
      migEnabled: props.migStrategy !== undefined && props.migStrategy !== MigStrategy.NONE,
    });
    const stack = PlatformStack.ofConstruct(this);
    const spot = props.capacityType === CapacityType.SPOT;
    const discount = stack.usage.spotDiscountPercent;
    stack.addCostLine({
      component: this.node.path, gpuPool: this.node.path, resource: `GPU nodes (${this.spec.instanceType}, ${spot ? 'spot' : 'on-demand'})`,
      region: stack.primaryRegion, unit: CostUnit.HOUR, baselineQuantity: minSize * HOURS_PER_MONTH, fullScaleQuantity: maxSize * HOURS_PER_MONTH,
      priceKey: catalog.priceKey(this.spec),
      assumption: `${minSize} (minSize) to ${maxSize} (maxSize) nodes x ${HOURS_PER_MONTH} h at the on-demand price` +
        (spot ? `; spot: expected ${discount}% below on-demand (usageAssumptions.spotDiscountPercent), the on-demand price is the ceiling` : ''),
      ...(spot ? { expectedPriceFactor: (100 - discount) / 100 } : {}),
    });
    stack.addCostLine({
      component: this.node.path, gpuPool: this.node.path, resource: `GPU node root volumes (${catalog.diskTypeName}, ${diskSizeGiB} GiB)`,
      region: stack.primaryRegion, unit: CostUnit.GB_MONTH, baselineQuantity: minSize * diskSizeGiB, fullScaleQuantity: maxSize * diskSizeGiB,
      priceKey: catalog.diskPriceKey, assumption: `${minSize} to ${maxSize} nodes x ${diskSizeGiB} GiB (diskSizeGiB)`,
    });
    stack.addComponent({
      path: this.node.path, name: 'GpuNodePool',
      description: `${minSize}-${maxSize} x ${this.spec.instanceType} (${this.spec.gpuCount} x ${this.spec.gpuModel} ${this.spec.gpuMemoryGiB} GiB), ` +
        `${props.capacityType ?? CapacityType.ON_DEMAND}, ` +
        `${this.spec.onDemandHourlyUsd !== undefined ? `$${this.spec.onDemandHourlyUsd}/h` : 'no published price'} on-demand per node` +
        `${props.timeSlicingReplicas ? `, time-sliced x${props.timeSlicingReplicas}` : ''}`,
    });
  }
}

function lookupGpu(scope: Construct, catalog: IGpuCatalog, instanceType: string): GpuSpec {
  if (isUnresolved(instanceType)) {
    throw new ValidationError(scope, 'instanceType', instanceType, 'must be known at synth', 'Pass a literal instance type: the GPU catalog checks it.');
  }
  const spec = typeof instanceType === 'string' ? catalog.lookup(instanceType) : undefined;
  if (!spec) {
    const family = typeof instanceType === 'string' ? familyOf(catalog, instanceType) : '';
    const sameFamily = catalog.all().filter((s) => s.family === family)
      .sort((a, b) => a.vcpus - b.vcpus).map((s) => s.instanceType);
    const hint = sameFamily.length > 0
      ? `Sizes of ${family}: ${sameFamily.join(', ')}.`
      : `Use an ${catalog.typeNoun} from families ${catalog.families().join(', ')}.`;
    throw new ValidationError(scope, 'instanceType', instanceType, `is not a known ${catalog.typeNoun}`, hint);
  }
  return spec;
}

/** The family of a machine type name: the catalogued family it starts with (longest first), else the part before the first `.`. */
function familyOf(catalog: IGpuCatalog, instanceType: string): string {
  const name = instanceType.trim().toLowerCase();
  const families = catalog.families().filter((f) => name.startsWith(`${f}.`) || name.startsWith(`${f}-`)).sort((a, b) => b.length - a.length);
  return families[0] ?? name.split('.')[0];
}
