import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import type { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster';
import type { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import type { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { ITerraformDependable } from 'cdktf';
import * as crypto from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { IGpuCatalog } from '../core/gpu-catalog';
import {
  EncryptedStorageClass, GpuNodeGroupOptions, IGpuNodeGroup, IKubernetesCluster, IWorkloadIdentity, NamespaceAccessLevel, NamespaceAccessOptions, WorkloadIdentityOptions,
} from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import { checkCidr, checkDnsLabel, checkEnum, checkInteger, checkPattern, isUnresolved, requireList, requireProps } from '../core/validate';
import { GcpCloud, GcpKeyPurpose } from './gcp-cloud';
import { GcpGpuCatalog } from './gcp-gpu-catalog';
import { GcpNetwork } from './gcp-network';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent } from './google-service-agents';

/** GKE release channels. */
export enum GkeReleaseChannel {
  /** Newest versions, weeks after release. */
  RAPID = 'RAPID',
  /** Versions a few months old: the default. */
  REGULAR = 'REGULAR',
  /** The most proven versions. */
  STABLE = 'STABLE',
}

/** Properties of a {@link GkeCluster}. */
export interface GkeClusterProps {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /** The network (subnet with pods and services ranges). */
  readonly network: GcpNetwork;
  /**
   * Cluster name: 1-40 lower-case letters, digits and `-`, starting with a letter.
   *
   * @default - `<prefix>-gke`
   */
  readonly clusterName?: string;
  /**
   * Release channel.
   *
   * @default GkeReleaseChannel.REGULAR
   */
  readonly releaseChannel?: GkeReleaseChannel;
  /**
   * CIDR blocks allowed to reach the control plane's IP endpoint (besides the VPC). The DNS endpoint, which
   * `cdktf deploy` uses, is reachable from anywhere but only with Google credentials that IAM allows.
   *
   * @default - none: the IP endpoint is reachable from the VPC only
   */
  readonly authorizedNetworks?: string[];
  /**
   * Machine type of the system node pool.
   *
   * @default 'e2-standard-4'
   */
  readonly systemMachineType?: string;
  /**
   * Minimum system nodes per zone (the cluster is regional: three zones).
   *
   * @default 1
   */
  readonly systemMinNodesPerZone?: number;
  /**
   * Maximum system nodes per zone.
   *
   * @default 3
   */
  readonly systemMaxNodesPerZone?: number;
  /**
   * The `gke-security-groups@<your domain>` Google Group that nests the groups RoleBindings name (Google Groups
   * for RBAC). The policy pack reports an error when it is unset (checkov CKV_GCP_65).
   *
   * @default - Google Groups for RBAC off
   */
  readonly rbacSecurityGroup?: string;
  /**
   * Zones of the primary region GPU pools run in. Accelerators are offered in some zones of a region only (see
   * the GPU regions and zones page); a pool spanning a zone without its accelerator fails to create.
   *
   * @default - the cluster's zones
   */
  readonly gpuNodeLocations?: string[];
}

/** A Google service account bound to a Kubernetes service account through GKE Workload Identity. */
export class GkeWorkloadIdentity extends Construct implements IWorkloadIdentity {
  /** Namespace of the Kubernetes service account. */
  public readonly namespace: string;
  /** Name of the Kubernetes service account. */
  public readonly serviceAccountName: string;
  /** Email of the Google service account (what IAM grants name as `serviceAccount:<email>`). */
  public readonly principalId: string;
  /** IAM member string of the Google service account. */
  public readonly member: string;
  /** The Google service account. */
  public readonly serviceAccount: ServiceAccount;
  /** The `roles/iam.workloadIdentityUser` binding of the Kubernetes service account. */
  public readonly binding: ServiceAccountIamMember;
  /** The annotation that makes GKE hand the pods this Google service account's credentials. */
  public readonly serviceAccountAnnotations?: { [key: string]: string };
  /** Pods must be created after the binding. */
  public readonly prerequisites: ITerraformDependable[];

  /**
   * @example
   * const identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: 'mlflow', serviceAccountName: 'mlflow' });
   */
  constructor(scope: Construct, id: string, cluster: GkeCluster, options: WorkloadIdentityOptions) {
    super(scope, id);
    checkDnsLabel(this, 'namespace', options.namespace, 'namespace');
    checkDnsLabel(this, 'serviceAccountName', options.serviceAccountName, 'service account name');
    this.namespace = options.namespace;
    this.serviceAccountName = options.serviceAccountName;
    const cloud = cluster.cloud;
    const hash = crypto.createHash('sha256').update(`${cluster.node.path}/${options.namespace}/${options.serviceAccountName}`).digest('hex').slice(0, 6);
    const accountId = `${`${cloud.namePrefix.slice(0, 10)}-${options.serviceAccountName}`.slice(0, 23).replace(/-+$/, '')}-${hash}`;
    const { ServiceAccount: Account } = loadGoogle<typeof import('@cdktf/provider-google/lib/service-account')>('service-account');
    this.serviceAccount = new Account(this, 'Resource', {
      provider: cloud.provider, accountId,
      displayName: `${options.namespace}/${options.serviceAccountName} on ${cluster.clusterName}`.slice(0, 100),
    });
    this.principalId = this.serviceAccount.email;
    this.member = `serviceAccount:${this.serviceAccount.email}`;
    const { ServiceAccountIamMember: Member } = loadGoogle<typeof import('@cdktf/provider-google/lib/service-account-iam-member')>('service-account-iam-member');
    // The workload pool exists only once the cluster does: binding before that fails.
    this.binding = new Member(this, 'WorkloadIdentityUser', {
      provider: cloud.provider, serviceAccountId: this.serviceAccount.name, role: 'roles/iam.workloadIdentityUser',
      member: `serviceAccount:${cluster.workloadPool}[${options.namespace}/${options.serviceAccountName}]`,
      dependsOn: [cluster.resource],
    });
    this.serviceAccountAnnotations = { 'iam.gke.io/gcp-service-account': this.principalId };
    this.prerequisites = [this.binding];
  }
}

/** GPU node pool created by {@link GkeCluster.addGpuNodeGroup}. */
export class GkeGpuNodePool extends Construct implements IGpuNodeGroup {
  /** Name of the node pool (changes when an accelerator field changes). */
  public readonly nodeGroupName: string;
  /** The node pool. */
  public readonly resource: ContainerNodePool;

  /**
   * @example
   * cluster.addGpuNodeGroup(this, 'NodeGroup', options);
   */
  constructor(scope: Construct, id: string, cluster: GkeCluster, options: GpuNodeGroupOptions) {
    super(scope, id);
    const spec = GcpGpuCatalog.lookupGcp(options.instanceType);
    if (!spec) {
      throw new ValidationError(this, 'instanceType', options.instanceType, 'is not a known GKE GPU machine type',
        `Use one of ${GcpGpuCatalog.INSTANCE.families().join(', ')}.`);
    }
    GcpGpuCatalog.INSTANCE.checkRegion(this, spec, cluster.cloud.primaryRegion);
    const sharing = options.timeSlicingReplicas;
    const partition = options.migEnabled ? spec.migPartitionSizes[0] : undefined;
    // Every accelerator field, the machine type and spot force replacement: they go into the name, so a change
    // creates a pool with a new name first (create_before_destroy) and only then deletes the old one.
    const immutable = JSON.stringify([spec.machineType, spec.acceleratorType, spec.gpuCount, partition ?? '', sharing ?? 0, options.spot, options.diskSizeGiB]);
    const slug = options.poolName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'gpu';
    this.nodeGroupName = `${/^[a-z]/.test(slug) ? slug : `p-${slug}`.slice(0, 30)}-${crypto.createHash('sha256').update(immutable).digest('hex').slice(0, 8)}`;
    const { ContainerNodePool: Pool } = loadGoogle<typeof import('@cdktf/provider-google/lib/container-node-pool')>('container-node-pool');
    this.resource = new Pool(this, 'Resource', {
      provider: cluster.cloud.provider,
      name: this.nodeGroupName,
      cluster: cluster.resource.id,
      location: cluster.cloud.primaryRegion,
      initialNodeCount: 0,
      ...(cluster.gpuNodeLocations !== undefined ? { nodeLocations: cluster.gpuNodeLocations } : {}),
      autoscaling: { totalMinNodeCount: options.minSize, totalMaxNodeCount: options.maxSize, locationPolicy: 'ANY' },
      management: { autoRepair: true, autoUpgrade: true },
      nodeConfig: {
        machineType: spec.machineType,
        spot: options.spot,
        diskSizeGb: options.diskSizeGiB,
        diskType: 'pd-balanced',
        bootDiskKmsKey: cluster.bootDiskKeyId,
        imageType: 'COS_CONTAINERD',
        serviceAccount: cluster.nodeServiceAccountEmail,
        oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        metadata: { 'disable-legacy-endpoints': 'true' },
        labels: { ...options.labels },
        taint: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }],
        guestAccelerator: [{
          type: spec.acceleratorType,
          count: spec.gpuCount,
          gpuDriverInstallationConfig: { gpuDriverVersion: 'LATEST' },
          ...(partition !== undefined ? { gpuPartitionSize: partition } : {}),
          ...(sharing !== undefined ? { gpuSharingConfig: { gpuSharingStrategy: 'TIME_SHARING', maxSharedClientsPerGpu: sharing } } : {}),
        }],
        ...(options.capacityReservationId !== undefined ? {
          reservationAffinity: { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: [options.capacityReservationId] },
        } : {}),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: cluster.nodePrerequisites,
    });
  }
}

/**
 * A regional GKE Standard cluster: release channel REGULAR, private nodes, control plane reached through its
 * DNS endpoint (IAM-authenticated; `cdktf deploy` uses it with the caller's Google token) while the IP endpoint
 * accepts only the VPC and `authorizedNetworks`; Workload Identity (`<project>.svc.id.goog`); etcd secrets
 * encrypted with a regional CMEK that the GKE service agent is granted first; shielded nodes; system and
 * workload logs; Managed Service for Prometheus with DCGM metrics; GKE cost allocation; the Backup for GKE agent; deletion protection; the
 * default pool removed and a system pool of a dedicated, minimal node service account with secure boot.
 *
 * GPU pools use the GKE-managed NVIDIA driver (`gpu_driver_version = "LATEST"`), GKE's device plugin, GKE
 * time-sharing and MIG partitions, and GKE's DCGM metrics. The NVIDIA GPU operator that GpuNodePool installs is
 * told to stay off these nodes (its device plugin, DCGM exporter, MIG manager and feature discovery are
 * disabled), so the two never both manage a GPU.
 *
 * @example
 * const cluster = new GkeCluster(stack, 'Cluster', { cloud, network });
 */
export class GkeCluster extends Construct implements IKubernetesCluster {
  /** The cloud. */
  public readonly cloud: GcpCloud;
  /** Cluster name. */
  public readonly clusterName: string;
  /** The network the cluster runs in (Cloud SQL takes its private IP there). */
  public readonly network: GcpNetwork;
  /** The cluster. */
  public readonly resource: ContainerCluster;
  /** The system node pool. */
  public readonly systemNodePool: ContainerNodePool;
  /** Workload Identity pool: `<project>.svc.id.goog`. */
  public readonly workloadPool: string;
  /** DNS endpoint of the control plane. */
  public readonly endpoint: string;
  /** Zones GPU pools run in (undefined: the cluster's zones). */
  public readonly gpuNodeLocations?: string[];
  /** Email of the node service account. */
  public readonly nodeServiceAccountEmail: string;
  /** CMEK of node boot disks. */
  public readonly bootDiskKeyId: string;
  /** Helm provider wired to this cluster. */
  public readonly helmProvider: HelmProvider;
  /** Kubernetes provider wired to this cluster. */
  public readonly kubernetesProvider: KubernetesProvider;
  /** What workloads wait for: the system node pool. */
  public readonly workloadPrerequisites: ITerraformDependable[];
  /** What node pools wait for: the node service account's roles and the boot disk key grant. */
  public readonly nodePrerequisites: ITerraformDependable[];
  /** Namespaces GKE creates. */
  public readonly existingNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'gmp-system', 'gmp-public'];
  /** The GKE GPU catalog. */
  public readonly gpuCatalog: IGpuCatalog = GcpGpuCatalog.INSTANCE;
  private gpuStackConfigured = false;
  private encryptedStorage?: EncryptedStorageClass;

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud, network }');
    const cloud = this.cloud = props.cloud;
    this.network = props.network;
    const stack = PlatformStack.ofConstruct(this);
    this.clusterName = props.clusterName ?? `${cloud.namePrefix}-gke`.slice(0, 40);
    checkPattern(this, 'clusterName', this.clusterName, /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, '1-40 lower-case letters, digits and "-", starting with a letter');
    checkEnum(this, 'releaseChannel', props.releaseChannel, GkeReleaseChannel, 'GkeReleaseChannel');
    requireList(this, 'authorizedNetworks', props.authorizedNetworks, { example: "['203.0.113.0/24']" });
    (props.authorizedNetworks ?? []).forEach((cidr, i) => checkCidr(this, `authorizedNetworks[${i}]`, cidr, 8, 32));
    const minPerZone = props.systemMinNodesPerZone ?? 1;
    const maxPerZone = props.systemMaxNodesPerZone ?? 3;
    checkInteger(this, 'systemMinNodesPerZone', minPerZone, 1, 100);
    checkInteger(this, 'systemMaxNodesPerZone', maxPerZone, 1, 100);
    if (minPerZone > maxPerZone) {
      throw new ValidationError(this, 'systemMinNodesPerZone', minPerZone, `is greater than systemMaxNodesPerZone (${maxPerZone})`,
        'Set systemMinNodesPerZone at most systemMaxNodesPerZone.');
    }
    checkPattern(this, 'rbacSecurityGroup', props.rbacSecurityGroup, /^gke-security-groups@[a-z0-9.-]+\.[a-z]{2,}$/,
      'the "gke-security-groups@<domain>" group of your Google Workspace or Cloud Identity domain');
    requireList(this, 'gpuNodeLocations', props.gpuNodeLocations, { minLength: 1, example: "['us-central1-a', 'us-central1-c']" });
    (props.gpuNodeLocations ?? []).forEach((zone, i) => {
      if (!isUnresolved(zone) && (typeof zone !== 'string' || !zone.startsWith(`${cloud.primaryRegion}-`) || !/^[a-z]+-[a-z]+\d{1,2}-[a-z]$/.test(zone))) {
        throw new ValidationError(this, `gpuNodeLocations[${i}]`, zone, `is not a zone of the primary region ${cloud.primaryRegion}`,
          `Use zones such as "${cloud.primaryRegion}-a".`);
      }
    });
    this.gpuNodeLocations = props.gpuNodeLocations;
    const systemMachineType = props.systemMachineType ?? 'e2-standard-4';
    checkPattern(this, 'systemMachineType', systemMachineType, /^[a-z][a-z0-9]*-[a-z0-9-]+$/, 'a Compute Engine machine type such as "e2-standard-4"');
    const provider = cloud.provider;
    this.workloadPool = `${cloud.projectId}.svc.id.goog`;

    // Dedicated node service account with the minimal node role (logs, metrics) and image pulls.
    const { ServiceAccount: Account } = loadGoogle<typeof import('@cdktf/provider-google/lib/service-account')>('service-account');
    const nodeSa = new Account(this, 'NodeServiceAccount', {
      provider, accountId: `${cloud.namePrefix.slice(0, 20).replace(/-+$/, '')}-gke-nodes`, displayName: `GKE nodes of ${this.clusterName}`,
    });
    this.nodeServiceAccountEmail = nodeSa.email;
    const { ProjectIamMember: ProjectMember } = loadGoogle<typeof import('@cdktf/provider-google/lib/project-iam-member')>('project-iam-member');
    const nodeRoles = ['roles/container.defaultNodeServiceAccount', 'roles/artifactregistry.reader'].map((role) =>
      new ProjectMember(this, `NodeRole-${role.split('/')[1].replace(/\./g, '-')}`, { provider, project: cloud.projectId, role, member: `serviceAccount:${nodeSa.email}` }));

    // etcd encryption with a regional CMEK: the GKE service agent must hold the key role before the cluster.
    const etcdKey = cloud.key(GcpKeyPurpose.ETCD);
    const etcdGrant = etcdKey.grantToServiceAgent(GoogleServiceAgent.CONTAINER);
    const dataKey = cloud.key(GcpKeyPurpose.DATA);
    this.bootDiskKeyId = dataKey.keyId;
    const diskGrant = dataKey.grantToServiceAgent(GoogleServiceAgent.COMPUTE);
    this.nodePrerequisites = [...nodeRoles, diskGrant];

    const { ContainerCluster: Cluster } = loadGoogle<typeof import('@cdktf/provider-google/lib/container-cluster')>('container-cluster');
    this.resource = new Cluster(this, 'Resource', {
      provider,
      name: this.clusterName,
      location: cloud.primaryRegion,
      network: props.network.networkId,
      subnetwork: props.network.subnet.id,
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: { clusterSecondaryRangeName: props.network.podsRangeName, servicesSecondaryRangeName: props.network.servicesRangeName },
      releaseChannel: { channel: props.releaseChannel ?? GkeReleaseChannel.REGULAR },
      privateClusterConfig: { enablePrivateNodes: true },
      controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
      masterAuthorizedNetworksConfig: {
        gcpPublicCidrsAccessEnabled: false,
        cidrBlocks: (props.authorizedNetworks ?? []).map((cidrBlock, i) => ({ cidrBlock, displayName: `authorized-${i}` })),
      },
      workloadIdentityConfig: { workloadPool: this.workloadPool },
      databaseEncryption: { state: 'ENCRYPTED', keyName: etcdKey.keyId },
      enableShieldedNodes: true,
      enableIntranodeVisibility: true,
      // Dataplane V2: network policies enforced by eBPF, no Calico add-on.
      datapathProvider: 'ADVANCED_DATAPATH',
      // Dataplane V2 enforces NetworkPolicy itself; the Calico add-on (network_policy) stays off, as GKE requires.
      networkPolicy: { enabled: false },
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      resourceLabels: cloud.labels,
      ...(props.rbacSecurityGroup !== undefined ? { authenticatorGroupsConfig: { securityGroup: props.rbacSecurityGroup } } : {}),
      loggingConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
      monitoringConfig: {
        enableComponents: ['SYSTEM_COMPONENTS', 'DCGM'],
        managedPrometheus: { enabled: true },
      },
      costManagementConfig: { enabled: true },
      addonsConfig: {
        httpLoadBalancing: { disabled: false }, horizontalPodAutoscaling: { disabled: false },
        // The Backup for GKE agent: a backup plan of a cluster without it never produces a backup (no charge until a plan protects pods).
        gkeBackupAgentConfig: { enabled: true },
      },
      binaryAuthorization: { evaluationMode: 'PROJECT_SINGLETON_POLICY_ENFORCE' },
      deletionProtection: true,
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      // The default pool lives only until removal, but still runs as the dedicated account, shielded.
      nodeConfig: {
        serviceAccount: nodeSa.email,
        oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        metadata: { 'disable-legacy-endpoints': 'true' },
      },
      dependsOn: [etcdGrant, ...this.nodePrerequisites],
      lifecycle: { ignoreChanges: ['node_config', 'initial_node_count'] },
    });
    this.endpoint = `https://${this.resource.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint}`;

    const { ContainerNodePool: Pool } = loadGoogle<typeof import('@cdktf/provider-google/lib/container-node-pool')>('container-node-pool');
    this.systemNodePool = new Pool(this, 'SystemNodePool', {
      provider,
      name: 'system',
      cluster: this.resource.id,
      location: cloud.primaryRegion,
      initialNodeCount: minPerZone,
      autoscaling: { minNodeCount: minPerZone, maxNodeCount: maxPerZone, locationPolicy: 'BALANCED' },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
      nodeConfig: {
        machineType: systemMachineType,
        diskSizeGb: 100,
        diskType: 'pd-balanced',
        bootDiskKmsKey: dataKey.keyId,
        imageType: 'COS_CONTAINERD',
        serviceAccount: nodeSa.email,
        oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        metadata: { 'disable-legacy-endpoints': 'true' },
      },
      dependsOn: this.nodePrerequisites,
    });
    this.workloadPrerequisites = [this.systemNodePool];

    // Providers: the caller's OAuth token against the DNS endpoint (its certificate is publicly trusted).
    const { DataGoogleClientConfig: ClientConfig } = loadGoogle<typeof import('@cdktf/provider-google/lib/data-google-client-config')>('data-google-client-config');
    const client = new ClientConfig(this, 'ClientConfig', { provider });
    this.kubernetesProvider = new KubernetesProvider(this, 'Kubernetes', { alias: `${id.toLowerCase()}-k8s`, host: this.endpoint, token: client.accessToken });
    this.helmProvider = new HelmProvider(this, 'Helm', { alias: `${id.toLowerCase()}-helm`, kubernetes: { host: this.endpoint, token: client.accessToken } });

    stack.addCostLine({
      component: this.node.path, resource: 'GKE cluster management fee', region: cloud.primaryRegion, unit: CostUnit.HOUR,
      baselineQuantity: HOURS_PER_MONTH, fullScaleQuantity: HOURS_PER_MONTH, priceKey: 'gke:cluster',
      assumption: `one regional cluster x ${HOURS_PER_MONTH} h (the free tier credit is not applied)`,
    });
    stack.addCostLine({
      component: this.node.path, resource: `system nodes (${systemMachineType})`, region: cloud.primaryRegion, unit: CostUnit.HOUR,
      baselineQuantity: 3 * minPerZone * HOURS_PER_MONTH, fullScaleQuantity: 3 * maxPerZone * HOURS_PER_MONTH, priceKey: `gce:${systemMachineType}`,
      assumption: `${minPerZone} to ${maxPerZone} nodes in each of 3 zones x ${HOURS_PER_MONTH} h`,
    });
    stack.addCostLine({
      component: this.node.path, resource: 'system node boot disks (pd-balanced, 100 GiB)', region: cloud.primaryRegion, unit: CostUnit.GB_MONTH,
      baselineQuantity: 3 * minPerZone * 100, fullScaleQuantity: 3 * maxPerZone * 100, priceKey: 'gce:pd-balanced',
      assumption: `${3 * minPerZone} to ${3 * maxPerZone} nodes x 100 GiB`,
    });
    stack.addComponent({
      path: this.node.path, name: 'GkeCluster',
      description: `GKE ${props.releaseChannel ?? GkeReleaseChannel.REGULAR} channel, regional ${cloud.primaryRegion}, private nodes, DNS endpoint, CMEK etcd`,
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Sign in to Google Cloud for cdktf deploy',
      detail: 'Terraform reaches the GKE control plane through its DNS endpoint with your Google credentials '
        + '(roles/container.developer or higher on the project); no VPN or bastion is needed.',
      command: 'gcloud auth application-default login',
    });
  }

  /**
   * A `pd-balanced` StorageClass (GKE's Persistent Disk CSI driver, built in) whose disks are encrypted with the
   * platform's data key; the Compute Engine service agent holds the key role.
   */
  public encryptedStorageClass(): EncryptedStorageClass {
    if (!this.encryptedStorage) {
      const storageClass = new StorageClassV1(this, 'EncryptedStorageClass', {
        provider: this.kubernetesProvider,
        metadata: { name: 'pd-balanced-cmek' },
        storageProvisioner: 'pd.csi.storage.gke.io',
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        parameters: { 'type': 'pd-balanced', 'disk-encryption-kms-key': this.bootDiskKeyId },
        dependsOn: [...this.workloadPrerequisites, ...this.nodePrerequisites],
      });
      this.encryptedStorage = {
        storageClassName: 'pd-balanced-cmek', priceKey: 'gce:pd-balanced', description: 'Persistent Disk pd-balanced encrypted with the platform data key',
        prerequisites: [storageClass],
      };
    }
    return this.encryptedStorage;
  }

  public newWorkloadIdentity(scope: IConstruct, id: string, options: WorkloadIdentityOptions): IWorkloadIdentity {
    return new GkeWorkloadIdentity(scope as Construct, id, this, options);
  }

  public addGpuNodeGroup(scope: IConstruct, id: string, options: GpuNodeGroupOptions): IGpuNodeGroup {
    const pool = new GkeGpuNodePool(scope as Construct, id, this, options);
    this.useGkeGpuStack();
    return pool;
  }

  /**
   * RoleBindings of the built-in aggregated ClusterRole (`view`, `edit`, `admin`) in the namespace, to Google
   * accounts (`user@example.com`) or Google Groups (`group:team@example.com`, with Google Groups for RBAC set up).
   */
  public grantNamespaceAccess(scope: IConstruct, id: string, options: NamespaceAccessOptions): void {
    checkDnsLabel(scope, 'namespace', options.namespace, 'namespace');
    checkEnum(scope, 'accessLevel', options.accessLevel, NamespaceAccessLevel, 'NamespaceAccessLevel');
    requireList(scope, 'principals', options.principals, { required: true, example: "['alice@example.com', 'group:ml-team@example.com']" });
    options.principals.forEach((p, i) => checkPattern(scope, `principals[${i}]`, p, /^(group:)?[^@\s]+@[^@\s]+\.[^@\s]+$/,
      'a Google account email, or "group:" and a Google Group email'));
    new RoleBindingV1(scope as Construct, id, {
      provider: this.kubernetesProvider,
      metadata: { name: `mlops-${options.accessLevel}`, namespace: options.namespace, labels: PlatformStack.ofConstruct(this).costAllocation.tags },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: options.accessLevel },
      subject: options.principals.map((p) => ({
        apiGroup: 'rbac.authorization.k8s.io', kind: p.startsWith('group:') ? 'Group' : 'User', name: p.replace(/^group:/, ''),
      })),
      dependsOn: this.workloadPrerequisites,
    });
  }

  /**
   * GKE manages the GPU stack (driver, device plugin, sharing, DCGM): the GPU operator GpuNodePool installs gets
   * a values document that keeps its operands off GKE's GPU nodes. (GpuNodePool creates the operator before it
   * asks for the node group.)
   */
  private useGkeGpuStack(): void {
    if (this.gpuStackConfigured) {
      return;
    }
    const operator = this.node.tryFindChild('GpuOperator') as any;
    const release = operator?.release;
    if (release && Array.isArray(release.valuesInput)) {
      release.values = [...release.valuesInput, JSON.stringify({
        nfd: { enabled: false },
        devicePlugin: { enabled: false },
        dcgmExporter: { enabled: false },
        migManager: { enabled: false },
        gfd: { enabled: false },
      })];
      this.gpuStackConfigured = true;
    }
  }
}
