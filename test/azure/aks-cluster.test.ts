import { AksCluster, AksKubeloginMode, AksUpgradeChannel, AksWorkloadIdentity } from '../../lib/azure/aks-cluster';
import { AzurermVersion } from '../../lib/azure/azure-cloud';
import { AzureGpuCatalog } from '../../lib/azure/azure-gpu-catalog';
import { NamespaceAccessLevel } from '../../lib/core/interfaces';
import { CapacityType, GpuNodePool } from '../../lib/gpu-node-pool';
import { MigStrategy } from '../../lib/k8s/gpu-operator';
import { expectValidationError, helmRelease, providersOfType, resourceAt, resourcesOfType, synthStack } from '../helpers';
import { newAks, newAzureCloud } from './azure-test-helpers';

describe('AksCluster', () => {
  test('creates a Standard-tier cluster with Entra ID + Azure RBAC, local accounts off, OIDC and workload identity', () => {
    const { stack } = newAks();
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource');
    expect(cluster).toMatchObject({
      sku_tier: 'Standard', cost_analysis_enabled: true, local_account_disabled: true, role_based_access_control_enabled: true,
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true },
      oidc_issuer_enabled: true, workload_identity_enabled: true,
      automatic_upgrade_channel: 'patch', node_os_upgrade_channel: 'NodeImage',
      run_command_enabled: false, azure_policy_enabled: true,
      identity: { type: 'UserAssigned' },
    });
    expect(cluster.maintenance_window_auto_upgrade).toMatchObject({ frequency: 'Weekly', day_of_week: 'Sunday' });
    expect(cluster.maintenance_window_node_os).toMatchObject({ frequency: 'Weekly', day_of_week: 'Sunday' });
  });

  test('limits the public API server to the deployer CIDRs with VNet integration, or makes it private without them', () => {
    const open = synthStack(newAks().stack).json;
    expect(resourceAt(open, 'azurerm_kubernetes_cluster', 'Cluster/Resource')).toMatchObject({
      private_cluster_enabled: false,
      api_server_access_profile: { virtual_network_integration_enabled: true, authorized_ip_ranges: ['203.0.113.0/24'] },
    });
    const { stack, cluster } = newAks({}, {});
    expect(cluster.privateCluster).toBe(true);
    const closed = resourceAt(synthStack(stack).json, 'azurerm_kubernetes_cluster', 'Cluster/Resource');
    expect(closed.private_cluster_enabled).toBe(true);
    expect(closed.api_server_access_profile.authorized_ip_ranges).toBeUndefined();
  });

  test('encrypts etcd with the etcd key through a private Key Vault, after the control-plane identity holds its roles', () => {
    const { stack } = newAks();
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource');
    expect(cluster.key_management_service).toEqual({
      key_vault_key_id: expect.stringMatching(/azurerm_key_vault_key\.Azure_PrimaryEtcdKey_.*\.id/), key_vault_network_access: 'Private',
    });
    const roles = resourcesOfType(json, 'azurerm_role_assignment');
    const etcdGrant = roles.find((r) => r.role_definition_name === 'Key Vault Crypto User');
    expect(etcdGrant.principal_id).toMatch(/azurerm_user_assigned_identity\.Cluster_ControlPlaneIdentity.*\.principal_id/);
    expect(roles.filter((r) => r.role_definition_name === 'Network Contributor')).toHaveLength(2);
    const depends: string[] = cluster.depends_on;
    expect(depends.filter((d) => d.startsWith('azurerm_role_assignment.')).length).toBeGreaterThanOrEqual(5);
  });

  test('uses Azure CNI overlay with Cilium and the NAT gateway for egress', () => {
    const { stack } = newAks();
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource').network_profile).toMatchObject({
      network_plugin: 'azure', network_plugin_mode: 'overlay', network_data_plane: 'cilium', network_policy: 'cilium',
      pod_cidr: '192.168.0.0/16', outbound_type: 'userAssignedNATGateway',
    });
  });

  test('turns on Container Insights and the managed Prometheus add-on', () => {
    const { stack } = newAks();
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource');
    expect(cluster.oms_agent).toMatchObject({ msi_auth_for_monitoring_enabled: true, log_analytics_workspace_id: expect.stringMatching(/azurerm_log_analytics_workspace\./) });
    expect(cluster.monitor_metrics).toEqual({});
    expect(resourcesOfType(json, 'azurerm_log_analytics_workspace')[0]).toMatchObject({ retention_in_days: 90, local_authentication_enabled: false });
    const rule = resourcesOfType(json, 'azurerm_monitor_data_collection_rule')[0];
    expect(rule.data_sources.prometheus_forwarder[0].streams).toEqual(['Microsoft-PrometheusMetrics']);
    expect(rule.destinations.monitor_account[0].monitor_account_id).toMatch(/azurerm_monitor_workspace\./);
    const associations = resourcesOfType(json, 'azurerm_monitor_data_collection_rule_association');
    expect(associations.map((a) => a.name)).toContain('configurationAccessEndpoint');
    expect(associations.every((a) => /azurerm_kubernetes_cluster\./.test(a.target_resource_id))).toBe(true);
  });

  test('runs a zone-spread system pool for critical add-ons only, and a general user pool, on disks encrypted with the data key', () => {
    const { stack } = newAks();
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource');
    expect(cluster.default_node_pool).toMatchObject({
      name: 'system', only_critical_addons_enabled: true, zones: ['1', '2', '3'], auto_scaling_enabled: true, min_count: 3,
      temporary_name_for_rotation: 'systemtmp',
    });
    expect(cluster.disk_encryption_set_id).toMatch(/azurerm_disk_encryption_set\./);
    expect(resourcesOfType(json, 'azurerm_disk_encryption_set')[0]).toMatchObject({
      auto_key_rotation_enabled: true, key_vault_key_id: expect.stringMatching(/azurerm_key_vault_key\.Azure_PrimaryDataKey.*\.versionless_id/),
    });
    expect(resourceAt(json, 'azurerm_kubernetes_cluster_node_pool', 'Cluster/WorkloadNodePool')).toMatchObject({
      name: 'general', mode: 'User', min_count: 2, max_count: 6, zones: ['1', '2', '3'],
    });
  });

  test('tags the system pool and labels every pool with the cost allocation', () => {
    const { stack } = newAks();
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource');
    expect(cluster.tags).toMatchObject({ 'cost-center': 'cc-4512' });
    expect(cluster.default_node_pool.tags).toMatchObject({ 'cost-center': 'cc-4512', 'team': 'ml-platform' });
    expect(cluster.default_node_pool.node_labels).toMatchObject({ 'cost-center': 'cc-4512' });
    expect(resourceAt(json, 'azurerm_kubernetes_cluster_node_pool', 'Cluster/WorkloadNodePool').node_labels).toMatchObject({ project: 'fraud' });
  });

  test('wires the Kubernetes and Helm providers to kubelogin (no static credential)', () => {
    const { stack } = newAks({ kubeloginMode: AksKubeloginMode.WORKLOAD_IDENTITY });
    const { json } = synthStack(stack);
    const [k8s] = providersOfType(json, 'kubernetes');
    expect(k8s.exec).toEqual([expect.objectContaining({ command: 'kubelogin', args: expect.arrayContaining(['get-token', '--login', 'workloadidentity']) })]);
    expect(k8s.token).toBeUndefined();
    expect(k8s.client_key).toBeUndefined();
    const [helm] = providersOfType(json, 'helm');
    expect(helm.kubernetes.exec).toMatchObject({ command: 'kubelogin' });
    const admin = resourcesOfType(json, 'azurerm_role_assignment').find((r) => r.role_definition_name === 'Azure Kubernetes Service RBAC Cluster Admin');
    expect(admin.principal_id).toMatch(/data\.azurerm_client_config\..*\.object_id/);
  });

  test('federates workload identities one credential at a time', () => {
    const { stack, cluster } = newAks();
    const a = cluster.newWorkloadIdentity(stack, 'A', { namespace: 'mlflow', serviceAccountName: 'mlflow' }) as AksWorkloadIdentity;
    cluster.newWorkloadIdentity(stack, 'B', { namespace: 'velero', serviceAccountName: 'velero' });
    expect(a.serviceAccountAnnotations).toEqual({ 'azure.workload.identity/client-id': a.clientId });
    expect(AksWorkloadIdentity.POD_LABELS).toEqual({ 'azure.workload.identity/use': 'true' });
    expect(a.podLabels).toEqual({ 'azure.workload.identity/use': 'true' });
    const { json } = synthStack(stack);
    const credA = resourceAt(json, 'azurerm_federated_identity_credential', 'A/FederatedCredential');
    const credB = resourceAt(json, 'azurerm_federated_identity_credential', 'B/FederatedCredential');
    expect(credA).toMatchObject({ subject: 'system:serviceaccount:mlflow:mlflow', audience: ['api://AzureADTokenExchange'] });
    expect(credA.issuer).toMatch(/azurerm_kubernetes_cluster\..*\.oidc_issuer_url/);
    expect(credA.parent_id).toMatch(/azurerm_user_assigned_identity\.A_/);
    expect(credB.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^azurerm_federated_identity_credential\.A_FederatedCredential/)]));
    expect(credA.depends_on.some((d: string) => d.startsWith('azurerm_federated_identity_credential.'))).toBe(false);
  });

  test('writes user_assigned_identity_id instead of parent_id and the node provisioning profile for azurerm 5', () => {
    const { stack, cluster } = newAks({}, { deployerCidrs: ['203.0.113.0/24'], azurermVersion: AzurermVersion.V5 });
    cluster.newWorkloadIdentity(stack, 'A', { namespace: 'mlflow', serviceAccountName: 'mlflow' });
    const { json } = synthStack(stack);
    const cred = resourceAt(json, 'azurerm_federated_identity_credential', 'A/FederatedCredential');
    expect(cred.parent_id).toBeUndefined();
    expect(cred.resource_group_name).toBeUndefined();
    expect(cred.user_assigned_identity_id).toMatch(/azurerm_user_assigned_identity\.A_/);
    expect(resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource').node_provisioning_profile).toEqual({ mode: 'Manual' });
  });

  test('binds Entra users and groups to the built-in roles in a namespace', () => {
    const { stack, cluster } = newAks();
    cluster.grantNamespaceAccess(stack, 'Access', {
      namespace: 'team-a', accessLevel: NamespaceAccessLevel.EDIT,
      principals: ['00000000-0000-0000-0000-0000000000aa', 'group:00000000-0000-0000-0000-0000000000bb'],
    });
    const { json } = synthStack(stack);
    const binding = resourcesOfType(json, 'kubernetes_role_binding_v1')[0];
    expect(binding.role_ref).toMatchObject({ kind: 'ClusterRole', name: 'edit' });
    expect(binding.subject).toEqual([
      expect.objectContaining({ kind: 'User', name: '00000000-0000-0000-0000-0000000000aa' }),
      expect.objectContaining({ kind: 'Group', name: '00000000-0000-0000-0000-0000000000bb' }),
    ]);
    expectValidationError(() => cluster.grantNamespaceAccess(stack, 'Bad', { namespace: 'team-a', accessLevel: NamespaceAccessLevel.VIEW, principals: ['alice@example.com'] }),
      'azure', 'principals[0]', /is not an Entra object ID/);
  });

  test('offers an encrypted Premium ZRS StorageClass on the disk encryption set', () => {
    const { stack, cluster } = newAks();
    const sc = cluster.encryptedStorageClass();
    expect(cluster.encryptedStorageClass()).toBe(sc);
    expect(sc).toMatchObject({ storageClassName: 'managed-premium-cmk', priceKey: 'disk:premium-ssd' });
    const { json } = synthStack(stack);
    expect(resourcesOfType(json, 'kubernetes_storage_class_v1')[0]).toMatchObject({
      storage_provisioner: 'disk.csi.azure.com', volume_binding_mode: 'WaitForFirstConsumer',
      parameters: { skuName: 'Premium_ZRS', diskEncryptionType: 'EncryptionAtRestWithCustomerKey' },
    });
  });

  test('creates spot GPU pools from zero with the AKS spot taint and label, the GPU taint and an explicit driver', () => {
    const { stack, cluster } = newAks();
    new GpuNodePool(stack, 'Training', { cluster, instanceType: 'Standard_NC24ads_A100_v4', capacityType: CapacityType.SPOT, maxSize: 4 });
    const { json } = synthStack(stack);
    const pool = resourceAt(json, 'azurerm_kubernetes_cluster_node_pool', 'Training/NodeGroup/Resource');
    expect(pool).toMatchObject({
      vm_size: 'Standard_NC24ads_A100_v4', mode: 'User', auto_scaling_enabled: true, min_count: 0, max_count: 4,
      priority: 'Spot', eviction_policy: 'Delete', spot_max_price: -1, gpu_driver: 'Install',
      lifecycle: { create_before_destroy: true, ignore_changes: ['node_count'] },
    });
    expect(pool.name).toMatch(/^[a-z][a-z0-9]{0,11}$/);
    expect(pool.node_taints).toEqual(['nvidia.com/gpu=present:NoSchedule', 'kubernetes.azure.com/scalesetpriority=spot:NoSchedule']);
    expect(pool.node_labels).toMatchObject({ 'kubernetes.azure.com/scalesetpriority': 'spot', 'mlops/gpu-model': 'NVIDIA_A100', 'cost-center': 'cc-4512' });
    expect(pool.gpu_instance).toBeUndefined();
    expect(pool.tags).toMatchObject({ team: 'ml-platform' });
  });

  test('renames the pool when an immutable field changes, so the new pool comes first', () => {
    const names = [CapacityType.SPOT, CapacityType.ON_DEMAND].map((capacityType) => {
      const { stack, cluster } = newAks();
      new GpuNodePool(stack, 'Training', { cluster, instanceType: 'Standard_NC24ads_A100_v4', capacityType });
      return resourceAt(synthStack(stack).json, 'azurerm_kubernetes_cluster_node_pool', 'Training/NodeGroup/Resource').name;
    });
    expect(names[0]).not.toBe(names[1]);
  });

  test('partitions A100s with an AKS MIG profile and keeps the operator MIG manager off', () => {
    const { stack, cluster } = newAks();
    new GpuNodePool(stack, 'Inference', { cluster, instanceType: 'Standard_NC24ads_A100_v4', migStrategy: MigStrategy.SINGLE });
    const { json } = synthStack(stack);
    const pool = resourceAt(json, 'azurerm_kubernetes_cluster_node_pool', 'Inference/NodeGroup/Resource');
    expect(pool).toMatchObject({ gpu_instance: 'MIG1g', gpu_driver: 'Install', priority: 'Regular' });
    const release = helmRelease(json, 'gpu-operator');
    const docs = release.values.map((v: string) => JSON.parse(v));
    const merged = Object.assign({}, ...docs);
    expect(merged.migManager).toEqual({ enabled: false });
    expect(merged.driver).toEqual({ enabled: false });
    expect(merged.daemonsets.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot' })]));
    expect(merged['node-feature-discovery'].worker.tolerations).toHaveLength(2);
  });

  test('time-slices GPUs through the operator device-plugin configuration', () => {
    const { stack, cluster } = newAks();
    new GpuNodePool(stack, 'Notebooks', { cluster, instanceType: 'Standard_NC4as_T4_v3', timeSlicingReplicas: 4 });
    const { json } = synthStack(stack);
    const pool = resourceAt(json, 'azurerm_kubernetes_cluster_node_pool', 'Notebooks/NodeGroup/Resource');
    expect(pool.node_labels['nvidia.com/device-plugin.config']).toBe('time-sliced-4');
    const values = JSON.parse(helmRelease(json, 'gpu-operator').values[0]);
    expect(values.devicePlugin.config.data['time-sliced-4']).toMatch(/replicas: 4/);
  });

  test('rejects fractional A10 sizes, MIG on T4 and unknown sizes with clear messages', () => {
    const { stack, cluster } = newAks();
    expectValidationError(() => new GpuNodePool(stack, 'Frac', { cluster, instanceType: 'Standard_NV12ads_A10_v5' }), 'azure/Frac', 'instanceType',
      /fractional A10 size.*Standard_NV36ads_A10_v5/);
    expectValidationError(() => new GpuNodePool(stack, 'Mig', { cluster, instanceType: 'Standard_NC4as_T4_v3', migStrategy: MigStrategy.SINGLE }), 'azure/Mig', 'migStrategy',
      /MIG-capable GPU/);
    expect(() => new GpuNodePool(stack, 'Unknown', { cluster, instanceType: 'Standard_D4s_v5' })).toThrow(/instanceType/);
  });

  test('validates its props', () => {
    const { stack, cloud } = newAzureCloud({ deployerCidrs: ['203.0.113.0/24'] });
    expectValidationError(() => new AksCluster(stack, 'A', { cloud, clusterName: '-bad' }), 'azure/A', 'clusterName', /1-63 letters/);
    expectValidationError(() => new AksCluster(stack, 'B', { cloud, kubernetesVersion: 'latest' }), 'azure/B', 'kubernetesVersion', /Kubernetes version/);
    expectValidationError(() => new AksCluster(stack, 'C', { cloud, upgradeChannel: 'node-image' as AksUpgradeChannel }), 'azure/C', 'upgradeChannel', /AksUpgradeChannel/);
    expectValidationError(() => new AksCluster(stack, 'D', { cloud, adminGroupObjectIds: ['admins'] }), 'azure/D', 'adminGroupObjectIds[0]', /Entra group object ID/);
    expectValidationError(() => new AksCluster(stack, 'E', { cloud, workloadMinNodes: 5, workloadMaxNodes: 2 }), 'azure/E', 'workloadMinNodes', /greater than workloadMaxNodes/);
    expectValidationError(() => new AksCluster(stack, 'F', { cloud, systemVmSize: 'D4s_v5' }), 'azure/F', 'systemVmSize', /Azure VM size/);
    expectValidationError(() => new AksCluster(stack, 'G', { cloud, kubeloginMode: 'devicecode' as AksKubeloginMode }), 'azure/G', 'kubeloginMode', /AksKubeloginMode/);
  });

  test('encrypts at host with 110 pods on every pool, ephemeral system OS disks, and states its policy exceptions', () => {
    const { stack } = newAks();
    new GpuNodePool(stack, 'Gpu', { cluster: stack.node.findChild('Cluster') as AksCluster, instanceType: 'Standard_NC4as_T4_v3' });
    const { json } = synthStack(stack);
    const cluster = resourceAt(json, 'azurerm_kubernetes_cluster', 'Cluster/Resource');
    expect(cluster.default_node_pool).toMatchObject({ host_encryption_enabled: true, max_pods: 110, os_disk_type: 'Ephemeral' });
    for (const pool of resourcesOfType(json, 'azurerm_kubernetes_cluster_node_pool')) {
      expect(pool).toMatchObject({ host_encryption_enabled: true, max_pods: 110 });
    }
    const suppressed = (id: string) => stack.node.findAll().some((c) => c.node.metadata.some((m) => m.type === 'cdktf-mlops:policy-suppressions' && m.data.id === id));
    expect(suppressed('CKV_AZURE_172')).toBe(true);
    expect(suppressed('CKV_AZURE_115')).toBe(true);
    const steps = JSON.stringify(synthStack(stack).report.deploymentSteps ?? synthStack(stack).report);
    expect(steps).toContain('EncryptionAtHost');
    expect(steps).toContain('kubelogin');
  });

  test('a private cluster needs no exception for CKV_AZURE_115', () => {
    const { stack } = newAks({}, {});
    const suppressed = stack.node.findAll().some((c) => c.node.metadata.some((m) => m.type === 'cdktf-mlops:policy-suppressions' && m.data.id === 'CKV_AZURE_115'));
    expect(suppressed).toBe(false);
  });

  test('exposes the Azure GPU catalog', () => {
    const { cluster } = newAks();
    expect(cluster.gpuCatalog).toBe(AzureGpuCatalog.INSTANCE);
    expect(cluster.gpuCatalog.lookup('nc40ads_h100_v5')).toMatchObject({ gpuModel: 'NVIDIA_H100_NVL', gpuMemoryGiB: 94 });
    expect(cluster.existingNamespaces).toContain('kube-system');
  });
});
