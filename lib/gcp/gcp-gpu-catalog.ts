import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { CpuArchitecture, GpuModel, GpuPoolRequest, GpuSpec, IGpuCatalog } from '../core/gpu-catalog';
import { isUnresolved } from '../core/validate';

/*
 * Compute Engine GPU machine types GKE runs, from https://cloud.google.com/compute/docs/gpus and the machine
 * family pages (accelerator-optimized A2/A3/A4/G2, and N1 with attached GPUs) as of 2026-11-26. GPU memory is the
 * per-GPU size. N1 machine types have no GPU of their own: a GPU is attached with an explicit count, so the
 * catalog names each supported N1 shape `<machine type>+<count>x<gpu>` (e.g. `n1-standard-8+1xt4`).
 *
 * Prices are us-central1 on-demand USD per hour for the whole machine (GPUs, vCPUs and memory), written from
 * https://cloud.google.com/compute/gpus-pricing and https://cloud.google.com/compute/all-pricing as remembered on
 * 2026-11-26 without access to the Cloud Billing Catalog API: believed within 10% of list, to be refreshed before
 * relying on them. A3 Ultra (H200) and A4 (B200) are sold through reservations, Flex-start and spot only: they
 * have no on-demand price here, and the estimate warns rather than counting them as zero.
 */

/** A GPU machine type on GKE. */
export interface GcpGpuSpec extends GpuSpec {
  /** Compute Engine machine type, e.g. `g2-standard-8` or `n1-standard-8`. */
  readonly machineType: string;
  /** Accelerator type for `guest_accelerator.type`, e.g. `nvidia-l4`. */
  readonly acceleratorType: string;
  /** MIG partition sizes GKE accepts in `gpu_partition_size` (smallest first), empty without MIG. */
  readonly migPartitionSizes: string[];
  /**
   * Regions (of those the library knows) where the machine type is offered, as zones list it.
   *
   * @default - the regions listed in GCP_GPU_REGIONS for its accelerator
   */
  readonly regions?: string[];
}

/** Regions offering each accelerator (from the GPU regions and zones page, 2026-11-26; not exhaustive). */
export const GCP_GPU_REGIONS: { readonly [accelerator: string]: ReadonlyArray<string> } = Object.freeze({
  'nvidia-tesla-t4': ['us-central1', 'us-east1', 'us-east4', 'us-west1', 'us-west2', 'europe-west1', 'europe-west2', 'europe-west3', 'europe-west4', 'asia-east1', 'asia-northeast1', 'asia-southeast1'],
  'nvidia-tesla-v100': ['us-central1', 'us-east1', 'us-west1', 'europe-west4', 'asia-east1'],
  'nvidia-l4': ['us-central1', 'us-east1', 'us-east4', 'us-west1', 'us-west4', 'europe-west1', 'europe-west2', 'europe-west3', 'europe-west4', 'asia-east1', 'asia-northeast1', 'asia-southeast1'],
  'nvidia-tesla-a100': ['us-central1', 'us-east1', 'us-west1', 'us-west3', 'us-west4', 'europe-west4', 'asia-northeast1', 'asia-southeast1'],
  'nvidia-a100-80gb': ['us-central1', 'us-east4', 'us-east5', 'europe-west4', 'asia-southeast1'],
  'nvidia-h100-80gb': ['us-central1', 'us-east4', 'us-east5', 'us-west1', 'us-west4', 'europe-west1', 'europe-west4', 'asia-northeast1', 'asia-southeast1'],
  'nvidia-h100-mega-80gb': ['us-central1', 'us-east4', 'us-east5', 'us-west1', 'europe-west1', 'europe-west4', 'asia-northeast1'],
  'nvidia-h200-141gb': ['us-central1', 'us-east4', 'us-east5', 'us-west1', 'europe-west1', 'asia-south1'],
  'nvidia-b200': ['us-central1', 'us-east1', 'us-east4', 'us-west2', 'europe-west4', 'asia-northeast1'],
});

const X86 = CpuArchitecture.X86_64;
const A100_40_MIG = ['1g.5gb', '2g.10gb', '3g.20gb', '7g.40gb'];
const A100_80_MIG = ['1g.10gb', '2g.20gb', '3g.40gb', '7g.80gb'];
const H100_MIG = ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '7g.80gb'];
const H200_MIG = ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '7g.141gb'];

function n1(machine: string, vcpus: number, memoryGiB: number, machineUsd: number, gpu: 't4' | 'v100', count: number): GcpGpuSpec {
  const t4 = gpu === 't4';
  return {
    instanceType: `${machine}+${count}x${gpu}`, machineType: machine, family: `n1-${gpu}`,
    gpuModel: t4 ? GpuModel.NVIDIA_T4 : GpuModel.NVIDIA_V100, gpuCount: count, gpuMemoryGiB: 16, vcpus, memoryGiB, architecture: X86,
    onDemandHourlyUsd: round(machineUsd + count * (t4 ? 0.35 : 2.48)), migCapable: false,
    acceleratorType: t4 ? 'nvidia-tesla-t4' : 'nvidia-tesla-v100', migPartitionSizes: [],
  };
}

function accel(machineType: string, family: string, gpuModel: GpuModel, gpuCount: number, gpuMemoryGiB: number, vcpus: number, memoryGiB: number,
  onDemandHourlyUsd: number | undefined, acceleratorType: string, migPartitionSizes: string[] = []): GcpGpuSpec {
  return {
    instanceType: machineType, machineType, family, gpuModel, gpuCount, gpuMemoryGiB, vcpus, memoryGiB, architecture: X86,
    ...(onDemandHourlyUsd !== undefined ? { onDemandHourlyUsd } : {}),
    migCapable: migPartitionSizes.length > 0, acceleratorType, migPartitionSizes,
  };
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

const SPECS: ReadonlyArray<GcpGpuSpec> = Object.freeze([
  n1('n1-standard-4', 4, 15, 0.19, 't4', 1),
  n1('n1-standard-8', 8, 30, 0.38, 't4', 1),
  n1('n1-standard-16', 16, 60, 0.76, 't4', 2),
  n1('n1-standard-32', 32, 120, 1.52, 't4', 4),
  n1('n1-standard-8', 8, 30, 0.38, 'v100', 1),
  n1('n1-standard-16', 16, 60, 0.76, 'v100', 2),
  n1('n1-standard-32', 32, 120, 1.52, 'v100', 4),
  n1('n1-standard-64', 64, 240, 3.04, 'v100', 8),
  accel('g2-standard-4', 'g2', GpuModel.NVIDIA_L4, 1, 24, 4, 16, 0.7068, 'nvidia-l4'),
  accel('g2-standard-8', 'g2', GpuModel.NVIDIA_L4, 1, 24, 8, 32, 0.8536, 'nvidia-l4'),
  accel('g2-standard-12', 'g2', GpuModel.NVIDIA_L4, 1, 24, 12, 48, 1.0004, 'nvidia-l4'),
  accel('g2-standard-16', 'g2', GpuModel.NVIDIA_L4, 1, 24, 16, 64, 1.1473, 'nvidia-l4'),
  accel('g2-standard-24', 'g2', GpuModel.NVIDIA_L4, 2, 24, 24, 96, 2.0008, 'nvidia-l4'),
  accel('g2-standard-32', 'g2', GpuModel.NVIDIA_L4, 1, 24, 32, 128, 1.7344, 'nvidia-l4'),
  accel('g2-standard-48', 'g2', GpuModel.NVIDIA_L4, 4, 24, 48, 192, 4.0016, 'nvidia-l4'),
  accel('g2-standard-96', 'g2', GpuModel.NVIDIA_L4, 8, 24, 96, 384, 8.0032, 'nvidia-l4'),
  accel('a2-highgpu-1g', 'a2-highgpu', GpuModel.NVIDIA_A100, 1, 40, 12, 85, 3.6731, 'nvidia-tesla-a100', A100_40_MIG),
  accel('a2-highgpu-2g', 'a2-highgpu', GpuModel.NVIDIA_A100, 2, 40, 24, 170, 7.3462, 'nvidia-tesla-a100', A100_40_MIG),
  accel('a2-highgpu-4g', 'a2-highgpu', GpuModel.NVIDIA_A100, 4, 40, 48, 340, 14.6924, 'nvidia-tesla-a100', A100_40_MIG),
  accel('a2-highgpu-8g', 'a2-highgpu', GpuModel.NVIDIA_A100, 8, 40, 96, 680, 29.3848, 'nvidia-tesla-a100', A100_40_MIG),
  accel('a2-megagpu-16g', 'a2-megagpu', GpuModel.NVIDIA_A100, 16, 40, 96, 1360, 55.7395, 'nvidia-tesla-a100', A100_40_MIG),
  accel('a2-ultragpu-1g', 'a2-ultragpu', GpuModel.NVIDIA_A100, 1, 80, 12, 170, 5.0688, 'nvidia-a100-80gb', A100_80_MIG),
  accel('a2-ultragpu-2g', 'a2-ultragpu', GpuModel.NVIDIA_A100, 2, 80, 24, 340, 10.1376, 'nvidia-a100-80gb', A100_80_MIG),
  accel('a2-ultragpu-4g', 'a2-ultragpu', GpuModel.NVIDIA_A100, 4, 80, 48, 680, 20.2752, 'nvidia-a100-80gb', A100_80_MIG),
  accel('a2-ultragpu-8g', 'a2-ultragpu', GpuModel.NVIDIA_A100, 8, 80, 96, 1360, 40.5504, 'nvidia-a100-80gb', A100_80_MIG),
  accel('a3-highgpu-1g', 'a3-highgpu', GpuModel.NVIDIA_H100, 1, 80, 26, 234, 11.0613, 'nvidia-h100-80gb', H100_MIG),
  accel('a3-highgpu-2g', 'a3-highgpu', GpuModel.NVIDIA_H100, 2, 80, 52, 468, 22.1226, 'nvidia-h100-80gb', H100_MIG),
  accel('a3-highgpu-4g', 'a3-highgpu', GpuModel.NVIDIA_H100, 4, 80, 104, 936, 44.2452, 'nvidia-h100-80gb', H100_MIG),
  accel('a3-highgpu-8g', 'a3-highgpu', GpuModel.NVIDIA_H100, 8, 80, 208, 1872, 88.4904, 'nvidia-h100-80gb', H100_MIG),
  accel('a3-megagpu-8g', 'a3-megagpu', GpuModel.NVIDIA_H100, 8, 80, 208, 1872, 97.8, 'nvidia-h100-mega-80gb', H100_MIG),
  accel('a3-ultragpu-8g', 'a3-ultragpu', GpuModel.NVIDIA_H200, 8, 141, 224, 2952, undefined, 'nvidia-h200-141gb', H200_MIG),
  accel('a4-highgpu-8g', 'a4-highgpu', GpuModel.NVIDIA_B200, 8, 179, 224, 3968, undefined, 'nvidia-b200'),
].map((spec) => Object.freeze(spec)));

/**
 * The Google Cloud implementation of {@link IGpuCatalog}: Compute Engine GPU machine types (N1 with T4 or
 * V100 attached, G2 with L4, A2 with A100 40/80 GB, A3 with H100 and H200, A4 with B200), priced as
 * `gce:<machine type>` from this catalog, root disks `pd-balanced`, and checked against the regions that offer
 * the accelerator. GKE clusters expose it as `gpuCatalog`.
 *
 * @example
 * const spec = GcpGpuCatalog.INSTANCE.lookup('g2-standard-8');
 */
export class GcpGpuCatalog implements IGpuCatalog {
  /** The catalog. */
  public static readonly INSTANCE = new GcpGpuCatalog();
  /** Date of the prices and regional availability. */
  public static readonly PRICE_DATE = '2026-11-26';

  /** The GCP spec of a machine type, or undefined. */
  public static lookupGcp(instanceType: string): GcpGpuSpec | undefined {
    const wanted = typeof instanceType === 'string' ? instanceType.trim().toLowerCase() : '';
    return SPECS.find((s) => s.instanceType === wanted);
  }

  public readonly cloudName = 'gcp';
  public readonly typeNoun = 'GKE GPU machine type';
  public readonly reservedNodeLabelKeys = ['cloud.google.com/gke-accelerator', 'cloud.google.com/gke-gpu-partition-size',
    'cloud.google.com/gke-gpu-sharing-strategy', 'cloud.google.com/gke-max-shared-clients-per-gpu', 'cloud.google.com/gke-spot'];
  public readonly diskTypeName = 'pd-balanced';
  public readonly diskPriceKey = 'gce:pd-balanced';

  private constructor() {}

  public lookup(instanceType: string): GpuSpec | undefined {
    return GcpGpuCatalog.lookupGcp(instanceType);
  }

  public all(): GpuSpec[] {
    return [...SPECS].sort((a, b) => (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : 0));
  }

  public families(): string[] {
    return [...new Set(SPECS.map((s) => s.family))].sort();
  }

  public priceKey(spec: GpuSpec): string {
    return `gce:${spec.instanceType}`;
  }

  public migHint(): string {
    return 'Use an A100, H100 or H200 machine type (a2-highgpu, a2-ultragpu, a3-highgpu, a3-megagpu, a3-ultragpu), or time-slicing instead.';
  }

  public checkPoolRequest(scope: IConstruct, request: GpuPoolRequest): void {
    const spec = GcpGpuCatalog.lookupGcp(request.spec.instanceType);
    if (!spec) {
      return;
    }
    if (request.capacityReservationId !== undefined && !isUnresolved(request.capacityReservationId)
      && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(request.capacityReservationId)) {
      throw new ValidationError(scope, 'capacityReservationId', request.capacityReservationId,
        'is not a Compute Engine reservation name (1-63 lower-case letters, digits and "-", starting with a letter)',
        'Pass the name of a specific reservation of the project, e.g. "a3-training-reservation".');
    }
    if (request.mig && spec.migPartitionSizes.length === 0) {
      throw new ValidationError(scope, 'migStrategy', 'MIG', `needs GPU partitioning that GKE does not offer on ${spec.instanceType}`, this.migHint());
    }
    if (request.timeSlicingReplicas !== undefined && request.timeSlicingReplicas > 48) {
      throw new ValidationError(scope, 'timeSlicingReplicas', request.timeSlicingReplicas, 'is more than GKE allows per GPU (48)', 'Use at most 48.');
    }
  }

  /** Throws unless the machine type's accelerator is offered in the region (known regions only). */
  public checkRegion(scope: IConstruct, spec: GcpGpuSpec, region: string): void {
    const regions = spec.regions ?? GCP_GPU_REGIONS[spec.acceleratorType] ?? [];
    if (!isUnresolved(region) && regions.length > 0 && !regions.includes(region)) {
      throw new ValidationError(scope, 'instanceType', spec.instanceType, `uses ${spec.acceleratorType}, which is not offered in ${region}`,
        `Use a region that offers it (${regions.join(', ')}), or another machine type.`);
    }
  }
}
