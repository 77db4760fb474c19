import { NamespaceAccessLevel } from '../../lib/core/interfaces';
import { GkeCluster, GkeReleaseChannel, GkeWorkloadIdentity } from '../../lib/gcp/gke-cluster';
import { CapacityType, GpuNodePool } from '../../lib/gpu-node-pool';
import { MigStrategy } from '../../lib/k8s/gpu-operator';
import { expectValidationError, resourceAt, resourcesOfType, synthStack } from '../helpers';
import { GcpNetwork } from '../../lib/gcp/gcp-network';
import { newGcpCloud, newGcpStack, newGke } from './gcp-test-helpers';

describe('GkeCluster', () => {
  test('creates a private regional cluster on the REGULAR channel with a DNS endpoint and no public IP access', () => {
    const { stack } = newGke({ authorizedNetworks: ['203.0.113.0/24'] });
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'google_container_cluster', 'Cluster/Resource');
    expect(cluster).toMatchObject({
      name: 'fraud-prod-gke', location: 'us-central1', networking_mode: 'VPC_NATIVE',
      ip_allocation_policy: { cluster_secondary_range_name: 'pods', services_secondary_range_name: 'services' },
      release_channel: { channel: 'REGULAR' },
      private_cluster_config: { enable_private_nodes: true },
      control_plane_endpoints_config: { dns_endpoint_config: { allow_external_traffic: true } },
      master_authorized_networks_config: { gcp_public_cidrs_access_enabled: false, cidr_blocks: [{ cidr_block: '203.0.113.0/24' }] },
      deletion_protection: true, remove_default_node_pool: true, initial_node_count: 1,
    });
  });

  test('turns on Workload Identity, CMEK etcd encryption, shielded nodes, logs, managed Prometheus with DCGM and cost allocation', () => {
    const { stack } = newGke();
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'google_container_cluster', 'Cluster/Resource');
    expect(cluster).toMatchObject({
      workload_identity_config: { workload_pool: 'fraud-ml-prod.svc.id.goog' },
      database_encryption: { state: 'ENCRYPTED', key_name: expect.stringMatching(/google_kms_crypto_key\.Gcp_PrimaryEtcdKey/) },
      enable_shielded_nodes: true,
      logging_config: { enable_components: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
      monitoring_config: { enable_components: ['SYSTEM_COMPONENTS', 'DCGM'], managed_prometheus: { enabled: true } },
      cost_management_config: { enabled: true },
      datapath_provider: 'ADVANCED_DATAPATH',
      network_policy: { enabled: false },
      master_auth: { client_certificate_config: { issue_client_certificate: false } },
      authenticator_groups_config: { security_group: 'gke-security-groups@example.com' },
    });
    // The GKE service agent holds the etcd key role before the cluster exists.
    const etcdGrant = resourcesOfType(json, 'google_kms_crypto_key_iam_member').find((m) => m.member.includes('container-engine-robot'));
    expect(etcdGrant.crypto_key_id).toMatch(/PrimaryEtcdKey/);
    expect(cluster.depends_on).toContainEqual(expect.stringMatching(/google_kms_crypto_key_iam_member\.Gcp_PrimaryEtcdKey_AgentContainer/));
  });

  test('runs a system pool as a dedicated node service account with minimal roles, secure boot and the GKE metadata server', () => {
    const { stack } = newGke();
    const { json } = synthStack(stack);
    const roles = resourcesOfType(json, 'google_project_iam_member').filter((m) => m.member.includes('NodeServiceAccount')).map((m) => m.role).sort();
    expect(roles).toEqual(['roles/artifactregistry.reader', 'roles/container.defaultNodeServiceAccount']);
    const pool = resourceAt(json, 'google_container_node_pool', 'Cluster/SystemNodePool');
    expect(pool).toMatchObject({
      name: 'system', autoscaling: { min_node_count: 1, max_node_count: 3 }, management: { auto_repair: true, auto_upgrade: true },
      node_config: {
        image_type: 'COS_CONTAINERD', service_account: expect.stringMatching(/NodeServiceAccount.*\.email/),
        shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
        workload_metadata_config: { mode: 'GKE_METADATA' },
        boot_disk_kms_key: expect.stringMatching(/PrimaryDataKey/),
      },
    });
  });

  test('wires the Helm and Kubernetes providers to the DNS endpoint with the caller\'s token', () => {
    const { stack } = newGke();
    const { json } = synthStack(stack);
    const k8s = json.provider.kubernetes[0];
    expect(k8s.host).toMatch(/^https:\/\/\$\{google_container_cluster\..*\.control_plane_endpoints_config\[0\]\.dns_endpoint_config\[0\]\.endpoint\}$/);
    expect(k8s.token).toMatch(/data\.google_client_config\..*\.access_token/);
    expect(json.provider.helm[0].kubernetes.token).toBe(k8s.token);
  });

  test('binds a Kubernetes service account to a Google service account after the cluster exists', () => {
    const { stack, cluster } = newGke();
    const identity = cluster.newWorkloadIdentity(stack, 'MlflowIdentity', { namespace: 'mlflow', serviceAccountName: 'mlflow' }) as GkeWorkloadIdentity;
    expect(identity.serviceAccountAnnotations).toEqual({ 'iam.gke.io/gcp-service-account': identity.principalId });
    const { json } = synthStack(stack);
    const binding = resourceAt(json, 'google_service_account_iam_member', 'MlflowIdentity/WorkloadIdentityUser');
    expect(binding).toMatchObject({ role: 'roles/iam.workloadIdentityUser', member: 'serviceAccount:fraud-ml-prod.svc.id.goog[mlflow/mlflow]' });
    expect(binding.depends_on).toContainEqual(expect.stringMatching(/^google_container_cluster\./));
    expect(resourceAt(json, 'google_service_account', 'MlflowIdentity/Resource').account_id).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
  });

  test('grants namespace access with a RoleBinding of the aggregated ClusterRole', () => {
    const { stack, cluster } = newGke();
    cluster.grantNamespaceAccess(stack, 'TeamAccess', { namespace: 'team-a', principals: ['alice@example.com', 'group:ml@example.com'], accessLevel: NamespaceAccessLevel.EDIT });
    const { json } = synthStack(stack);
    const binding = resourceAt(json, 'kubernetes_role_binding_v1', 'TeamAccess');
    expect(binding.role_ref).toEqual({ api_group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
    expect(binding.subject).toEqual([
      { api_group: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice@example.com' },
      { api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ml@example.com' },
    ]);
    expect(binding.metadata.namespace).toBe('team-a');
    expectValidationError(() => cluster.grantNamespaceAccess(stack, 'Bad', { namespace: 'team-a', principals: ['arn:aws:iam::1:role/x'], accessLevel: NamespaceAccessLevel.VIEW }),
      'gcp', 'principals[0]', /a Google account email/);
  });

  test('provides an encrypted pd-balanced StorageClass', () => {
    const { stack, cluster } = newGke();
    expect(cluster.encryptedStorageClass().priceKey).toBe('gce:pd-balanced');
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'kubernetes_storage_class_v1', 'Cluster/EncryptedStorageClass')).toMatchObject({
      storage_provisioner: 'pd.csi.storage.gke.io', parameters: { 'type': 'pd-balanced', 'disk-encryption-kms-key': expect.stringMatching(/PrimaryDataKey/) },
    });
  });

  test('prices the cluster fee and system nodes', () => {
    const { stack } = newGke();
    const { report } = synthStack(stack);
    expect(report.costEstimate.warnings).toEqual([]);
    expect(report.costEstimate.components.find((c: any) => c.path === 'gcp/Cluster').baselineUsd).toBeGreaterThan(73);
  });

  test('validates its props', () => {
    expectValidationError(() => newGke({ clusterName: 'Fraud_GKE' }), 'gcp/Cluster', 'clusterName', /lower-case letters/);
    expectValidationError(() => newGke({ releaseChannel: 'FAST' as GkeReleaseChannel }), 'gcp/Cluster', 'releaseChannel', /GkeReleaseChannel/);
    expectValidationError(() => newGke({ authorizedNetworks: ['0.0.0.0/33'] }), 'gcp/Cluster', 'authorizedNetworks[0]', /CIDR/);
    expectValidationError(() => newGke({ systemMinNodesPerZone: 4, systemMaxNodesPerZone: 2 }), 'gcp/Cluster', 'systemMinNodesPerZone', /greater than systemMaxNodesPerZone/);
    expectValidationError(() => newGke({ systemMachineType: 'm7g.large' }), 'gcp/Cluster', 'systemMachineType', /Compute Engine machine type/);
    expectValidationError(() => newGke({ rbacSecurityGroup: 'admins@example.com' }), 'gcp/Cluster', 'rbacSecurityGroup', /gke-security-groups@/);
    expectValidationError(() => newGke({ gpuNodeLocations: ['us-east1-b'] }), 'gcp/Cluster', 'gpuNodeLocations[0]', /is not a zone of the primary region us-central1/);
    expectValidationError(() => newGke({ gpuNodeLocations: [] }), 'gcp/Cluster', 'gpuNodeLocations', /./);
  });
});

describe('GpuNodePool on GKE', () => {
  const pool = (json: any, suffix: string) => resourceAt(json, 'google_container_node_pool', `${suffix}/NodeGroup/Resource`);

  test('creates a tainted, spot-capable pool that scales from zero with the GKE-managed driver', () => {
    const { stack, cluster } = newGke();
    new GpuNodePool(stack, 'Training', { cluster, instanceType: 'a2-highgpu-1g', maxSize: 4, capacityType: CapacityType.SPOT });
    const { json } = synthStack(stack);
    const p = pool(json, 'Training');
    expect(p).toMatchObject({
      initial_node_count: 0,
      autoscaling: { total_min_node_count: 0, total_max_node_count: 4, location_policy: 'ANY' },
      lifecycle: { create_before_destroy: true },
      node_config: {
        machine_type: 'a2-highgpu-1g', spot: true, disk_size_gb: 200, image_type: 'COS_CONTAINERD',
        guest_accelerator: [{ type: 'nvidia-tesla-a100', count: 1, gpu_driver_installation_config: { gpu_driver_version: 'LATEST' } }],
        taint: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }],
        workload_metadata_config: { mode: 'GKE_METADATA' },
        shielded_instance_config: { enable_secure_boot: true },
        labels: { 'mlops/gpu-model': 'NVIDIA_A100', 'mlops/gpu-count': '1', 'cost-center': 'cc-4512' },
        resource_labels: { 'cost-center': 'cc-4512', 'project': 'fraud' },
        service_account: expect.stringMatching(/NodeServiceAccount/),
      },
    });
    expect(p.name).toMatch(/^training-[0-9a-f]{8}$/);
  });

  test('shares GPUs with GKE time-sharing and partitions them with MIG', () => {
    const { stack, cluster } = newGke();
    new GpuNodePool(stack, 'Inference', { cluster, instanceType: 'g2-standard-8', timeSlicingReplicas: 4 });
    new GpuNodePool(stack, 'Mig', { cluster, instanceType: 'a3-highgpu-1g', migStrategy: MigStrategy.SINGLE });
    const { json } = synthStack(stack);
    expect(pool(json, 'Inference').node_config.guest_accelerator[0].gpu_sharing_config).toEqual({ gpu_sharing_strategy: 'TIME_SHARING', max_shared_clients_per_gpu: 4 });
    expect(pool(json, 'Mig').node_config.guest_accelerator[0].gpu_partition_size).toBe('1g.10gb');
  });

  test('attaches an explicit GPU count to N1 machine types', () => {
    const { stack, cluster } = newGke();
    new GpuNodePool(stack, 'T4', { cluster, instanceType: 'n1-standard-16+2xt4' });
    const { json } = synthStack(stack);
    expect(pool(json, 'T4').node_config).toMatchObject({ machine_type: 'n1-standard-16', guest_accelerator: [{ type: 'nvidia-tesla-t4', count: 2 }] });
  });

  test('renames the pool when an accelerator field changes, so the new pool is created before the old one goes', () => {
    const name = (replicas?: number) => {
      const { stack, cluster } = newGke();
      new GpuNodePool(stack, 'Inference', { cluster, instanceType: 'g2-standard-8', timeSlicingReplicas: replicas, maxSize: replicas ?? 2 });
      return pool(synthStack(stack).json, 'Inference').name;
    };
    expect(name(4)).not.toBe(name(2));
    expect(name()).toBe(name());
    const sameAddress = (maxSize: number) => {
      const { stack, cluster } = newGke();
      new GpuNodePool(stack, 'Inference', { cluster, instanceType: 'g2-standard-8', maxSize });
      return pool(synthStack(stack).json, 'Inference').name;
    };
    expect(sameAddress(2)).toBe(sameAddress(8));
  });

  test('keeps the GPU operator off GKE-managed GPU nodes', () => {
    const { stack, cluster } = newGke();
    new GpuNodePool(stack, 'Inference', { cluster, instanceType: 'g2-standard-8', timeSlicingReplicas: 2 });
    const { json } = synthStack(stack);
    const release = resourcesOfType(json, 'helm_release').find((r) => r.name === 'gpu-operator');
    expect(release.values).toHaveLength(2);
    expect(JSON.parse(release.values[1])).toEqual({
      nfd: { enabled: false }, devicePlugin: { enabled: false }, dcgmExporter: { enabled: false }, migManager: { enabled: false }, gfd: { enabled: false },
    });
  });

  test('runs GPU pools in the zones given', () => {
    const { stack, cluster } = newGke({ gpuNodeLocations: ['us-central1-a', 'us-central1-c'] });
    new GpuNodePool(stack, 'Inference', { cluster, instanceType: 'g2-standard-8' });
    expect(pool(synthStack(stack).json, 'Inference').node_locations).toEqual(['us-central1-a', 'us-central1-c']);
  });

  test('uses a specific reservation', () => {
    const { stack, cluster } = newGke();
    new GpuNodePool(stack, 'Reserved', { cluster, instanceType: 'a3-highgpu-8g', capacityReservationId: 'h100-training' });
    const { json } = synthStack(stack);
    expect(pool(json, 'Reserved').node_config.reservation_affinity).toEqual({
      consume_reservation_type: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['h100-training'],
    });
  });

  test('prices GPU nodes from the GCP catalog and warns, naming the key, where a machine has no on-demand price', () => {
    const { stack, cluster } = newGke();
    new GpuNodePool(stack, 'L4', { cluster, instanceType: 'g2-standard-8', minSize: 1 });
    new GpuNodePool(stack, 'B200', { cluster, instanceType: 'a4-highgpu-8g' });
    const { report } = synthStack(stack);
    expect(report.costEstimate.gpuPools.find((p: any) => p.path === 'gcp/L4').baselineUsd).toBeCloseTo(0.8536 * 730 + 200 * 0.10, 0);
    expect(JSON.stringify(report.costEstimate.warnings)).toContain('gce:a4-highgpu-8g');
  });

  test('validates the machine type against the GKE catalog and its region', () => {
    const { stack, cluster } = newGke();
    expectValidationError(() => new GpuNodePool(stack, 'Aws', { cluster, instanceType: 'g5.xlarge' }), 'gcp/Aws', 'instanceType',
      /is not a known GKE GPU machine type \(got "g5\.xlarge"\)\. Use an GKE GPU machine type from families a2-highgpu/);
    expectValidationError(() => new GpuNodePool(stack, 'Size', { cluster, instanceType: 'g2-standard-6' }), 'gcp/Size', 'instanceType',
      /Sizes of g2: g2-standard-4, g2-standard-8/);
    expectValidationError(() => new GpuNodePool(stack, 'L4Mig', { cluster, instanceType: 'g2-standard-8', migStrategy: MigStrategy.SINGLE }), 'gcp/L4Mig', 'migStrategy',
      /needs a MIG-capable GPU.*a2-highgpu/);
    expectValidationError(() => new GpuNodePool(stack, 'Res', { cluster, instanceType: 'g2-standard-8', capacityReservationId: 'Reservation_1' }),
      'gcp/Res', 'capacityReservationId', /not a Compute Engine reservation name/);
    const eu = newGcpStack({ primaryRegion: 'europe-west1' }, undefined, 'eu');
    const { cloud } = newGcpCloud({}, eu);
    const euCluster = new GkeCluster(eu, 'Cluster', { cloud, network: new GcpNetwork(eu, 'Network', { cloud }) });
    expectValidationError(() => new GpuNodePool(eu, 'Ultra', { cluster: euCluster, instanceType: 'a2-ultragpu-1g' }), 'eu/Ultra/NodeGroup', 'instanceType',
      /uses nvidia-a100-80gb, which is not offered in europe-west1/);
  });
});
