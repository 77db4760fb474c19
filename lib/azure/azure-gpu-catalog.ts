import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { CpuArchitecture, GpuModel, GpuPoolRequest, GpuSpec, IGpuCatalog } from '../core/gpu-catalog';
import { isUnresolved } from '../core/validate';

/*
 * Azure GPU VM sizes AKS runs as node pools, from https://learn.microsoft.com/azure/virtual-machines/sizes/
 * gpu-accelerated (NCasT4_v3, NVadsA10_v5, NDasrA100_v4, NCadsA100_v4, NDamsrA100_v4, NCadsH100_v5, NDH100v5,
 * NDH200v5) as of 2026-11-26. GPU memory is per GPU. Prices are East US Linux pay-as-you-go USD per hour for the
 * whole VM, written from https://azure.microsoft.com/pricing/details/virtual-machines/linux/ as remembered on
 * 2026-11-26 (basis: memory), believed within 10% of list and to be refreshed before relying on them; the H200
 * size has no remembered price, and the estimate warns rather than counting it as zero.
 */

/** A GPU VM size on AKS. */
export interface AzureGpuSpec extends GpuSpec {
  /** VM size as AKS takes it (`vm_size`), e.g. `Standard_NC4as_T4_v3`. */
  readonly vmSize: string;
  /** MIG profiles AKS accepts in `gpu_instance` (smallest first), empty without MIG. */
  readonly migProfiles: string[];
}

const X86 = CpuArchitecture.X86_64;
const MIG = ['MIG1g', 'MIG2g', 'MIG3g', 'MIG4g', 'MIG7g'];

function size(name: string, family: string, gpuModel: GpuModel, gpuCount: number, gpuMemoryGiB: number, vcpus: number, memoryGiB: number,
  usd: number | undefined, mig = false): AzureGpuSpec {
  return {
    instanceType: `Standard_${name}`, vmSize: `Standard_${name}`, family, gpuModel, gpuCount, gpuMemoryGiB, vcpus, memoryGiB, architecture: X86,
    ...(usd !== undefined ? { onDemandHourlyUsd: usd } : {}), migCapable: mig, migProfiles: mig ? MIG : [],
  };
}

const SPECS: ReadonlyArray<AzureGpuSpec> = Object.freeze([
  size('NC4as_T4_v3', 'NCasT4_v3', GpuModel.NVIDIA_T4, 1, 16, 4, 28, 0.526),
  size('NC8as_T4_v3', 'NCasT4_v3', GpuModel.NVIDIA_T4, 1, 16, 8, 56, 0.752),
  size('NC16as_T4_v3', 'NCasT4_v3', GpuModel.NVIDIA_T4, 1, 16, 16, 110, 1.204),
  size('NC64as_T4_v3', 'NCasT4_v3', GpuModel.NVIDIA_T4, 4, 16, 64, 440, 4.352),
  size('NV36ads_A10_v5', 'NVadsA10_v5', GpuModel.NVIDIA_A10, 1, 24, 36, 440, 3.2),
  size('NV72ads_A10_v5', 'NVadsA10_v5', GpuModel.NVIDIA_A10, 2, 24, 72, 880, 6.52),
  size('ND96asr_v4', 'NDasrA100_v4', GpuModel.NVIDIA_A100, 8, 40, 96, 900, 27.197, true),
  size('NC24ads_A100_v4', 'NCadsA100_v4', GpuModel.NVIDIA_A100, 1, 80, 24, 220, 3.673, true),
  size('NC48ads_A100_v4', 'NCadsA100_v4', GpuModel.NVIDIA_A100, 2, 80, 48, 440, 7.346, true),
  size('NC96ads_A100_v4', 'NCadsA100_v4', GpuModel.NVIDIA_A100, 4, 80, 96, 880, 14.692, true),
  size('ND96amsr_A100_v4', 'NDamsrA100_v4', GpuModel.NVIDIA_A100, 8, 80, 96, 1900, 32.77, true),
  size('NC40ads_H100_v5', 'NCadsH100_v5', GpuModel.NVIDIA_H100_NVL, 1, 94, 40, 320, 6.98, true),
  size('NC80adis_H100_v5', 'NCadsH100_v5', GpuModel.NVIDIA_H100_NVL, 2, 94, 80, 640, 13.96, true),
  size('ND96isr_H100_v5', 'NDH100v5', GpuModel.NVIDIA_H100, 8, 80, 96, 1900, 98.32, true),
  size('ND96isr_H200_v5', 'NDH200v5', GpuModel.NVIDIA_H200, 8, 141, 96, 1850, undefined, true),
].map((spec) => Object.freeze(spec)));

/**
 * Fractional-GPU NVadsA10 v5 sizes (a slice of an A10 through GRID vGPU): the GPU operator cannot drive them. They
 * are looked up (so GpuNodePool reaches checkPoolRequest, which rejects them with their own message) but not listed.
 */
const FRACTIONAL: ReadonlyArray<AzureGpuSpec> = Object.freeze([
  size('NV6ads_A10_v5', 'NVadsA10_v5', GpuModel.NVIDIA_A10, 1, 4, 6, 55, 0.454),
  size('NV12ads_A10_v5', 'NVadsA10_v5', GpuModel.NVIDIA_A10, 1, 8, 12, 110, 0.908),
  size('NV18ads_A10_v5', 'NVadsA10_v5', GpuModel.NVIDIA_A10, 1, 12, 18, 220, 1.6),
].map((spec) => Object.freeze(spec)));

/**
 * The Azure implementation of {@link IGpuCatalog}: AKS GPU VM sizes (NCasT4_v3 with T4, NVadsA10_v5 full-GPU sizes
 * with A10, NDasrA100_v4 with A100 40 GB, NCadsA100_v4 and NDamsrA100_v4 with A100 80 GB, NCadsH100_v5 with H100
 * NVL, NDH100v5 with H100, NDH200v5 with H200), priced as `vm:<size>`, OS disks Premium SSD. MIG uses AKS's
 * `gpu_instance` profiles on A100, H100 and H200. Sizes are matched case-insensitively, with or without the
 * `Standard_` prefix. AKS clusters expose it as `gpuCatalog`.
 *
 * @example
 * const spec = AzureGpuCatalog.INSTANCE.lookup('Standard_NC24ads_A100_v4');
 */
export class AzureGpuCatalog implements IGpuCatalog {
  /** The catalog. */
  public static readonly INSTANCE = new AzureGpuCatalog();
  /** Date of the prices. */
  public static readonly PRICE_DATE = '2026-11-26';

  /** The Azure spec of a VM size, or undefined. */
  public static lookupAzure(instanceType: string): AzureGpuSpec | undefined {
    const wanted = normalize(instanceType);
    return SPECS.find((s) => s.vmSize.toLowerCase() === wanted);
  }

  /** True for the fractional NVadsA10 v5 sizes, which the catalog rejects with their own message. */
  public static isFractionalSize(instanceType: string): boolean {
    const wanted = normalize(instanceType);
    return FRACTIONAL.some((s) => s.vmSize.toLowerCase() === wanted);
  }

  public readonly cloudName = 'azure';
  public readonly typeNoun = 'AKS GPU VM size';
  public readonly reservedNodeLabelKeys = ['kubernetes.azure.com/scalesetpriority', 'kubernetes.azure.com/agentpool', 'kubernetes.azure.com/accelerator',
    'kubernetes.azure.com/mode'];
  public readonly diskTypeName = 'Premium SSD';
  public readonly diskPriceKey = 'disk:premium-ssd';

  private constructor() {}

  public lookup(instanceType: string): GpuSpec | undefined {
    const wanted = normalize(instanceType);
    return AzureGpuCatalog.lookupAzure(instanceType) ?? FRACTIONAL.find((s) => s.vmSize.toLowerCase() === wanted);
  }

  public all(): GpuSpec[] {
    return [...SPECS].sort((a, b) => (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : 0));
  }

  public families(): string[] {
    return [...new Set(SPECS.map((s) => s.family))].sort();
  }

  public priceKey(spec: GpuSpec): string {
    return `vm:${spec.instanceType}`;
  }

  public migHint(): string {
    return 'Use an A100, H100 or H200 size (NCadsA100_v4, NDasrA100_v4, NDamsrA100_v4, NCadsH100_v5, NDH100v5, NDH200v5), or time-slicing instead.';
  }

  public checkPoolRequest(scope: IConstruct, request: GpuPoolRequest): void {
    checkNotFractionalA10(scope, 'instanceType', request.spec.instanceType);
    const spec = AzureGpuCatalog.lookupAzure(request.spec.instanceType);
    if (!spec) {
      return;
    }
    if (request.capacityReservationId !== undefined && !isUnresolved(request.capacityReservationId)
      && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/capacityReservationGroups\/[^/]+$/i.test(request.capacityReservationId)) {
      throw new ValidationError(scope, 'capacityReservationId', request.capacityReservationId,
        'is not the ARM ID of an Azure capacity reservation group',
        'Pass "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/capacityReservationGroups/<name>" (the cluster identity needs Contributor on it).');
    }
    if (request.mig && spec.migProfiles.length === 0) {
      throw new ValidationError(scope, 'migStrategy', 'MIG', `needs GPU partitioning that AKS does not offer on ${spec.vmSize}`, this.migHint());
    }
  }
}

/**
 * Throws the catalog's message for a fractional NVadsA10 v5 size (NV6ads/NV12ads/NV18ads), which GpuNodePool would
 * otherwise report as merely unknown.
 */
export function checkNotFractionalA10(scope: IConstruct, prop: string, instanceType: string): void {
  if (AzureGpuCatalog.isFractionalSize(instanceType)) {
    throw new ValidationError(scope, prop, instanceType,
      'is a fractional A10 size (a vGPU slice), which the NVIDIA GPU operator and device plugin do not support',
      'Use Standard_NV36ads_A10_v5 (one full A10) or Standard_NV72ads_A10_v5 (two), or a T4 size for small workloads.');
  }
}

function normalize(instanceType: string): string {
  if (typeof instanceType !== 'string') {
    return '';
  }
  const t = instanceType.trim().toLowerCase();
  return t.startsWith('standard_') ? t : `standard_${t}`;
}
