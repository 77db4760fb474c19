/*
 * Static catalog of the NVIDIA GPU EC2 instance types that Amazon EKS supports
 * with its accelerated AMIs, so constructs can size node groups, pick an AMI
 * type and estimate cost without calling the EC2 or Pricing APIs at synth time.
 *
 * Hardware facts follow EC2 DescribeInstanceTypes. GPU memory is the usual
 * per-GPU size: A10G and L4 are listed as 24 although EC2 reports about 22.4
 * GiB usable; B200 is listed as 179, the figure EC2 reports. Prices are
 * us-east-1 Linux on-demand.
 */

// GpuModel and CpuArchitecture live in the cloud-neutral GPU catalog (lib/core/gpu-catalog), exported by the barrel.
import { IConstruct } from 'constructs';
import { CpuArchitecture, GpuModel, GpuPoolRequest, GpuSpec, IGpuCatalog } from '../core/gpu-catalog';
import { ValidationError } from '../core/errors';
import { PlatformStack } from '../core/platform-stack';
import { checkCapacityReservationId } from './aws-catalogs';
import { AwsPriceCatalog } from './aws-price-catalog';

/** One GPU instance type (it satisfies the cloud-neutral {@link GpuSpec}, with a price for every type). */
export interface GpuInstanceSpec {
  /** EC2 instance type name, e.g. `g5.xlarge`. */
  readonly instanceType: string;
  /** Instance family (the part before the dot), e.g. `g5`. */
  readonly family: string;
  /** GPU model fitted to the instance. */
  readonly gpuModel: GpuModel;
  /** Number of GPUs on the instance. */
  readonly gpuCount: number;
  /** Memory of each GPU, in GiB (not the instance total). */
  readonly gpuMemoryGiB: number;
  /** Number of vCPUs. */
  readonly vcpus: number;
  /** Host memory, in GiB. */
  readonly memoryGiB: number;
  /** CPU architecture, which decides the AMI type. */
  readonly architecture: CpuArchitecture;
  /** us-east-1 Linux on-demand price, in USD per hour, as of GPU_CATALOG_PRICE_DATE. */
  readonly onDemandHourlyUsd: number;
  /** Whether the GPU supports NVIDIA Multi-Instance GPU (MIG) partitioning. */
  readonly migCapable: boolean;
}

/** Prices are us-east-1 Linux on-demand, as published on PRICE_DATE. */
export const GPU_CATALOG_PRICE_DATE = '2026-07-20';

/** Static lookups over the catalog. */
export class GpuInstanceCatalog {
  /**
   * Date the prices were taken (same value as GPU_CATALOG_PRICE_DATE), exposed
   * here because jsii does not export top-level constants to other languages.
   */
  public static readonly PRICE_DATE: string = GPU_CATALOG_PRICE_DATE;

  /**
   * Returns the spec for an instance type, or undefined if it is not a
   * catalogued NVIDIA GPU type. The name is matched case-insensitively.
   */
  public static lookup(instanceType: string): GpuInstanceSpec | undefined {
    const wanted = instanceType.trim().toLowerCase();
    return GpuInstanceCatalog.SPECS.find((spec) => spec.instanceType === wanted);
  }

  /** Returns every catalogued instance type, sorted by instance type name. */
  public static all(): GpuInstanceSpec[] {
    return [...GpuInstanceCatalog.SPECS].sort((a, b) => compareNames(a.instanceType, b.instanceType));
  }

  /** Returns the distinct instance families in the catalog, sorted by name. */
  public static families(): string[] {
    const names = new Set<string>();
    for (const spec of GpuInstanceCatalog.SPECS) {
      names.add(spec.family);
    }
    return [...names].sort(compareNames);
  }

  private static readonly SPECS: ReadonlyArray<GpuInstanceSpec> = Object.freeze([
    { instanceType: 'g4dn.xlarge', family: 'g4dn', gpuModel: GpuModel.NVIDIA_T4, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 4, memoryGiB: 16, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 0.526, migCapable: false },
    { instanceType: 'g4dn.2xlarge', family: 'g4dn', gpuModel: GpuModel.NVIDIA_T4, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 8, memoryGiB: 32, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 0.752, migCapable: false },
    { instanceType: 'g4dn.4xlarge', family: 'g4dn', gpuModel: GpuModel.NVIDIA_T4, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 16, memoryGiB: 64, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 1.204, migCapable: false },
    { instanceType: 'g4dn.8xlarge', family: 'g4dn', gpuModel: GpuModel.NVIDIA_T4, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 32, memoryGiB: 128, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 2.176, migCapable: false },
    { instanceType: 'g4dn.12xlarge', family: 'g4dn', gpuModel: GpuModel.NVIDIA_T4, gpuCount: 4, gpuMemoryGiB: 16, vcpus: 48, memoryGiB: 192, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 3.912, migCapable: false },
    { instanceType: 'g4dn.16xlarge', family: 'g4dn', gpuModel: GpuModel.NVIDIA_T4, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 64, memoryGiB: 256, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 4.352, migCapable: false },
    { instanceType: 'g4dn.metal', family: 'g4dn', gpuModel: GpuModel.NVIDIA_T4, gpuCount: 8, gpuMemoryGiB: 16, vcpus: 96, memoryGiB: 384, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 7.824, migCapable: false },
    { instanceType: 'g5.xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 4, memoryGiB: 16, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 1.006, migCapable: false },
    { instanceType: 'g5.2xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 8, memoryGiB: 32, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 1.212, migCapable: false },
    { instanceType: 'g5.4xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 16, memoryGiB: 64, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 1.624, migCapable: false },
    { instanceType: 'g5.8xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 32, memoryGiB: 128, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 2.448, migCapable: false },
    { instanceType: 'g5.12xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 4, gpuMemoryGiB: 24, vcpus: 48, memoryGiB: 192, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 5.672, migCapable: false },
    { instanceType: 'g5.16xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 64, memoryGiB: 256, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 4.096, migCapable: false },
    { instanceType: 'g5.24xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 4, gpuMemoryGiB: 24, vcpus: 96, memoryGiB: 384, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 8.144, migCapable: false },
    { instanceType: 'g5.48xlarge', family: 'g5', gpuModel: GpuModel.NVIDIA_A10G, gpuCount: 8, gpuMemoryGiB: 24, vcpus: 192, memoryGiB: 768, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 16.288, migCapable: false },
    { instanceType: 'g5g.xlarge', family: 'g5g', gpuModel: GpuModel.NVIDIA_T4G, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 4, memoryGiB: 8, architecture: CpuArchitecture.ARM64, onDemandHourlyUsd: 0.42, migCapable: false },
    { instanceType: 'g5g.2xlarge', family: 'g5g', gpuModel: GpuModel.NVIDIA_T4G, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 8, memoryGiB: 16, architecture: CpuArchitecture.ARM64, onDemandHourlyUsd: 0.556, migCapable: false },
    { instanceType: 'g5g.4xlarge', family: 'g5g', gpuModel: GpuModel.NVIDIA_T4G, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 16, memoryGiB: 32, architecture: CpuArchitecture.ARM64, onDemandHourlyUsd: 0.828, migCapable: false },
    { instanceType: 'g5g.8xlarge', family: 'g5g', gpuModel: GpuModel.NVIDIA_T4G, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 32, memoryGiB: 64, architecture: CpuArchitecture.ARM64, onDemandHourlyUsd: 1.372, migCapable: false },
    { instanceType: 'g5g.16xlarge', family: 'g5g', gpuModel: GpuModel.NVIDIA_T4G, gpuCount: 2, gpuMemoryGiB: 16, vcpus: 64, memoryGiB: 128, architecture: CpuArchitecture.ARM64, onDemandHourlyUsd: 2.744, migCapable: false },
    { instanceType: 'g5g.metal', family: 'g5g', gpuModel: GpuModel.NVIDIA_T4G, gpuCount: 2, gpuMemoryGiB: 16, vcpus: 64, memoryGiB: 128, architecture: CpuArchitecture.ARM64, onDemandHourlyUsd: 2.744, migCapable: false },
    { instanceType: 'g6.xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 4, memoryGiB: 16, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 0.8048, migCapable: false },
    { instanceType: 'g6.2xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 8, memoryGiB: 32, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 0.9776, migCapable: false },
    { instanceType: 'g6.4xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 16, memoryGiB: 64, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 1.3232, migCapable: false },
    { instanceType: 'g6.8xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 32, memoryGiB: 128, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 2.0144, migCapable: false },
    { instanceType: 'g6.12xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 4, gpuMemoryGiB: 24, vcpus: 48, memoryGiB: 192, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 4.6016, migCapable: false },
    { instanceType: 'g6.16xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 64, memoryGiB: 256, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 3.3968, migCapable: false },
    { instanceType: 'g6.24xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 4, gpuMemoryGiB: 24, vcpus: 96, memoryGiB: 384, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 6.6752, migCapable: false },
    { instanceType: 'g6.48xlarge', family: 'g6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 8, gpuMemoryGiB: 24, vcpus: 192, memoryGiB: 768, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 13.3504, migCapable: false },
    { instanceType: 'g6e.xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 1, gpuMemoryGiB: 48, vcpus: 4, memoryGiB: 32, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 1.861, migCapable: false },
    { instanceType: 'g6e.2xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 1, gpuMemoryGiB: 48, vcpus: 8, memoryGiB: 64, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 2.24208, migCapable: false },
    { instanceType: 'g6e.4xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 1, gpuMemoryGiB: 48, vcpus: 16, memoryGiB: 128, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 3.00424, migCapable: false },
    { instanceType: 'g6e.8xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 1, gpuMemoryGiB: 48, vcpus: 32, memoryGiB: 256, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 4.52856, migCapable: false },
    { instanceType: 'g6e.12xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 4, gpuMemoryGiB: 48, vcpus: 48, memoryGiB: 384, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 10.49264, migCapable: false },
    { instanceType: 'g6e.16xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 1, gpuMemoryGiB: 48, vcpus: 64, memoryGiB: 512, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 7.57719, migCapable: false },
    { instanceType: 'g6e.24xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 4, gpuMemoryGiB: 48, vcpus: 96, memoryGiB: 768, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 15.06559, migCapable: false },
    { instanceType: 'g6e.48xlarge', family: 'g6e', gpuModel: GpuModel.NVIDIA_L40S, gpuCount: 8, gpuMemoryGiB: 48, vcpus: 192, memoryGiB: 1536, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 30.13118, migCapable: false },
    { instanceType: 'gr6.4xlarge', family: 'gr6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 16, memoryGiB: 128, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 1.5392, migCapable: false },
    { instanceType: 'gr6.8xlarge', family: 'gr6', gpuModel: GpuModel.NVIDIA_L4, gpuCount: 1, gpuMemoryGiB: 24, vcpus: 32, memoryGiB: 256, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 2.4464, migCapable: false },
    { instanceType: 'p3.2xlarge', family: 'p3', gpuModel: GpuModel.NVIDIA_V100, gpuCount: 1, gpuMemoryGiB: 16, vcpus: 8, memoryGiB: 61, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 3.06, migCapable: false },
    { instanceType: 'p3.8xlarge', family: 'p3', gpuModel: GpuModel.NVIDIA_V100, gpuCount: 4, gpuMemoryGiB: 16, vcpus: 32, memoryGiB: 244, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 12.24, migCapable: false },
    { instanceType: 'p3.16xlarge', family: 'p3', gpuModel: GpuModel.NVIDIA_V100, gpuCount: 8, gpuMemoryGiB: 16, vcpus: 64, memoryGiB: 488, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 24.48, migCapable: false },
    { instanceType: 'p3dn.24xlarge', family: 'p3dn', gpuModel: GpuModel.NVIDIA_V100, gpuCount: 8, gpuMemoryGiB: 32, vcpus: 96, memoryGiB: 768, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 31.212, migCapable: false },
    { instanceType: 'p4d.24xlarge', family: 'p4d', gpuModel: GpuModel.NVIDIA_A100, gpuCount: 8, gpuMemoryGiB: 40, vcpus: 96, memoryGiB: 1152, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 21.957642, migCapable: true },
    { instanceType: 'p4de.24xlarge', family: 'p4de', gpuModel: GpuModel.NVIDIA_A100, gpuCount: 8, gpuMemoryGiB: 80, vcpus: 96, memoryGiB: 1152, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 27.44705, migCapable: true },
    { instanceType: 'p5.4xlarge', family: 'p5', gpuModel: GpuModel.NVIDIA_H100, gpuCount: 1, gpuMemoryGiB: 80, vcpus: 16, memoryGiB: 256, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 6.88, migCapable: true },
    { instanceType: 'p5.48xlarge', family: 'p5', gpuModel: GpuModel.NVIDIA_H100, gpuCount: 8, gpuMemoryGiB: 80, vcpus: 192, memoryGiB: 2048, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 55.04, migCapable: true },
    // p5e has no published on-demand rate (sold through Capacity Blocks and
    // negotiated capacity only); the p5en rate is used as a proxy.
    { instanceType: 'p5e.48xlarge', family: 'p5e', gpuModel: GpuModel.NVIDIA_H200, gpuCount: 8, gpuMemoryGiB: 141, vcpus: 192, memoryGiB: 2048, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 63.296, migCapable: true },
    { instanceType: 'p5en.48xlarge', family: 'p5en', gpuModel: GpuModel.NVIDIA_H200, gpuCount: 8, gpuMemoryGiB: 141, vcpus: 192, memoryGiB: 2048, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 63.296, migCapable: true },
    { instanceType: 'p6-b200.48xlarge', family: 'p6-b200', gpuModel: GpuModel.NVIDIA_B200, gpuCount: 8, gpuMemoryGiB: 179, vcpus: 192, memoryGiB: 2048, architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: 113.9328, migCapable: true },
  ].map((spec) => Object.freeze(spec)));

  private constructor() {}
}

/**
 * The AWS implementation of {@link IGpuCatalog} over {@link GpuInstanceCatalog}: EC2 instance types, priced
 * as `ec2:<type>`, root volumes gp3, capacity reservations `cr-...`. EKS clusters expose it as `gpuCatalog`.
 *
 * @example
 * const spec = AwsGpuCatalog.INSTANCE.lookup('g6.xlarge');
 */
export class AwsGpuCatalog implements IGpuCatalog {
  /** The catalog. */
  public static readonly INSTANCE = new AwsGpuCatalog();

  public readonly cloudName = 'aws';
  public readonly typeNoun = 'NVIDIA GPU instance type';
  public readonly reservedNodeLabelKeys = ['k8s.amazonaws.com/accelerator'];
  public readonly diskTypeName = 'gp3';
  public readonly diskPriceKey = 'ebs:gp3';

  private constructor() {}

  public lookup(instanceType: string): GpuSpec | undefined {
    return GpuInstanceCatalog.lookup(instanceType);
  }

  public all(): GpuSpec[] {
    return GpuInstanceCatalog.all();
  }

  public families(): string[] {
    return GpuInstanceCatalog.families();
  }

  public priceKey(spec: GpuSpec): string {
    return `ec2:${spec.instanceType}`;
  }

  public migHint(): string {
    return 'Use an A100, H100, H200 or B200 instance type (p4d, p5, p5e, p6), or time-slicing instead.';
  }

  public checkPoolRequest(scope: IConstruct, request: GpuPoolRequest): void {
    checkCapacityReservationId(scope, 'capacityReservationId', request.capacityReservationId);
    // EKS would accept the node group and leave it failing to launch: the type is not sold in the region.
    const region = PlatformStack.ofConstruct(scope).primaryRegion;
    const prices = AwsPriceCatalog.load();
    const notOffered = prices.notOfferedReason(this.priceKey(request.spec), region);
    if (notOffered !== undefined) {
      const offered = GpuInstanceCatalog.all()
        .filter((s) => s.gpuModel === request.spec.gpuModel && prices.notOfferedReason(this.priceKey(s), region) === undefined)
        .map((s) => s.instanceType);
      const gpu = String(request.spec.gpuModel).replace(/^NVIDIA_/, '').replace(/_/g, ' ');
      throw new ValidationError(scope, 'instanceType', request.spec.instanceType, `is not offered in ${region} (${notOffered})`,
        (offered.length > 0 ? `${gpu} instance types offered there: ${offered.join(', ')}.` : `No ${gpu} instance type is offered there: pick another GPU or region.`) +
        ' If AWS has started selling it there, refresh the price catalog (scripts/refresh-aws-prices.js).');
    }
  }
}

/** Plain code-unit ordering, so the result does not depend on the host locale. */
function compareNames(a: string, b: string): number {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}
