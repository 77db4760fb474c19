import { IConstruct } from 'constructs';

/*
 * The cloud-neutral view of GPU capacity: what GpuNodePool validates against. Each cloud implements
 * IGpuCatalog (AwsGpuCatalog for EC2 instance types, GcpGpuCatalog for Compute Engine machine types), and each
 * cluster exposes the catalog of its cloud as `IKubernetesCluster.gpuCatalog`.
 */

/** GPU hardware on a machine or instance type. */
export enum GpuModel {
  /** NVIDIA T4 (Turing), 16 GiB; AWS g4dn, GCP n1 + nvidia-tesla-t4. */
  NVIDIA_T4 = 'NVIDIA_T4',
  /** NVIDIA T4G (Turing, paired with Graviton2), 16 GiB; g5g. */
  NVIDIA_T4G = 'NVIDIA_T4G',
  /** NVIDIA A10G (Ampere), 24 GiB; g5. */
  NVIDIA_A10G = 'NVIDIA_A10G',
  /** NVIDIA L4 (Ada Lovelace), 24 GiB; AWS g6 and gr6, GCP g2. */
  NVIDIA_L4 = 'NVIDIA_L4',
  /** NVIDIA L40S (Ada Lovelace), 48 GiB; g6e. */
  NVIDIA_L40S = 'NVIDIA_L40S',
  /** NVIDIA V100 (Volta), 16 GiB on p3 and n1 + nvidia-tesla-v100, 32 GiB on p3dn. */
  NVIDIA_V100 = 'NVIDIA_V100',
  /** NVIDIA A100 (Ampere), 40 GiB on p4d and a2-highgpu, 80 GiB on p4de and a2-ultragpu. */
  NVIDIA_A100 = 'NVIDIA_A100',
  /** NVIDIA H100 (Hopper), 80 GiB; p5, a3-highgpu and a3-megagpu. */
  NVIDIA_H100 = 'NVIDIA_H100',
  /** NVIDIA H200 (Hopper), 141 GiB; p5e, p5en and a3-ultragpu. */
  NVIDIA_H200 = 'NVIDIA_H200',
  /** NVIDIA B200 (Blackwell), about 179 GiB usable; p6-b200 and a4. */
  NVIDIA_B200 = 'NVIDIA_B200',
  /** NVIDIA A10 (Ampere), 24 GiB; Azure NVadsA10 v5 (full-GPU sizes). */
  NVIDIA_A10 = 'NVIDIA_A10',
  /** NVIDIA H100 NVL (Hopper, PCIe pairs), 94 GiB; Azure NCads H100 v5. */
  NVIDIA_H100_NVL = 'NVIDIA_H100_NVL',
}

/** CPU architecture of the machine type, which decides the node image. */
export enum CpuArchitecture {
  /** 64-bit x86 (Intel or AMD). */
  X86_64 = 'x86_64',
  /** 64-bit Arm (e.g. AWS Graviton). */
  ARM64 = 'arm64',
}

/** One GPU machine type, in terms every cloud can fill. */
export interface GpuSpec {
  /** Machine or instance type name, e.g. `g5.xlarge` or `g2-standard-8`. */
  readonly instanceType: string;
  /** Family, e.g. `g5` or `g2`. */
  readonly family: string;
  /** GPU model fitted to the machine. */
  readonly gpuModel: GpuModel;
  /** Number of GPUs on the machine. */
  readonly gpuCount: number;
  /** Memory of each GPU, in GiB (not the machine total). */
  readonly gpuMemoryGiB: number;
  /** Number of vCPUs. */
  readonly vcpus: number;
  /** Host memory, in GiB. */
  readonly memoryGiB: number;
  /** CPU architecture. */
  readonly architecture: CpuArchitecture;
  /**
   * On-demand price in USD per hour in the catalog's reference region, as of the catalog's price date.
   *
   * @default - no published on-demand price (reservation or calendar capacity only)
   */
  readonly onDemandHourlyUsd?: number;
  /** Whether the GPU supports NVIDIA Multi-Instance GPU (MIG) partitioning. */
  readonly migCapable: boolean;
  /**
   * Whether the GPUs can be shared by time-slicing on this cloud.
   *
   * @default true
   */
  readonly timeSlicingCapable?: boolean;
}

/** What a GPU pool asks for, as the catalog checks it beyond the machine type. */
export interface GpuPoolRequest {
  /** The catalog entry of the pool's machine type. */
  readonly spec: GpuSpec;
  /** Spot capacity. */
  readonly spot: boolean;
  /**
   * Capacity reservation to launch into.
   *
   * @default - none
   */
  readonly capacityReservationId?: string;
  /**
   * Time-slicing replicas per GPU.
   *
   * @default - no sharing
   */
  readonly timeSlicingReplicas?: number;
  /**
   * Whether MIG partitioning is asked for.
   *
   * @default false
   */
  readonly mig?: boolean;
}

/** A cloud's catalog of GPU machine types, which GpuNodePool validates against and prices from. */
export interface IGpuCatalog {
  /** Short name of the cloud, e.g. `aws`. */
  readonly cloudName: string;
  /** What the catalog calls a machine type in messages, e.g. `NVIDIA GPU instance type`. */
  readonly typeNoun: string;
  /** Node label keys the cloud's node pools set themselves (a user label with one of these would be lost). */
  readonly reservedNodeLabelKeys: string[];
  /** Name of the root disk type, for cost lines, e.g. `gp3`. */
  readonly diskTypeName: string;
  /** Price key of the root disk per GiB-month, e.g. `ebs:gp3`. */
  readonly diskPriceKey: string;
  /** The spec of a machine type, or undefined when it is not catalogued (matched case-insensitively). */
  lookup(instanceType: string): GpuSpec | undefined;
  /** Every catalogued machine type. */
  all(): GpuSpec[];
  /** The distinct families, sorted. */
  families(): string[];
  /** Price key of a machine type's hourly price, e.g. `ec2:g5.xlarge`. */
  priceKey(spec: GpuSpec): string;
  /** What to use instead when MIG is asked of a GPU without it. */
  migHint(): string;
  /**
   * Throws a ValidationError when the cloud cannot give what the pool asks for (capacity reservation format,
   * sharing a GPU type cannot do, machine types missing in the stack's region...).
   */
  checkPoolRequest(scope: IConstruct, request: GpuPoolRequest): void;
}
