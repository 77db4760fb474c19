/* AKS cluster and node pool rules, and virtual network rules, with checkov's Azure IDs. */
import { IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, firstBlock, isFalse, isSet, isTrue, rule, shown, toNumber } from '../../aws/policy/rule';

const CLUSTER = ['azurerm_kubernetes_cluster'];
const POOL = ['azurerm_kubernetes_cluster_node_pool'];

function defaultPool(c: PolicyResource): any {
  return firstBlock(c.config, 'default_node_pool') ?? {};
}

export const AKS_RULES: IPolicyRule[] = [
  rule('CKV_AZURE_4', PolicyLevel.ERROR, 'AKS clusters must send logs to Azure Monitor (oms_agent).', CLUSTER,
    (c) => isSet(firstBlock(c.config, 'oms_agent')?.log_analytics_workspace_id) ? undefined : 'oms_agent.log_analytics_workspace_id is not set'),
  rule('CKV_AZURE_5', PolicyLevel.ERROR, 'AKS clusters must enable Kubernetes RBAC.', CLUSTER,
    (c) => isFalse(c.config.role_based_access_control_enabled) ? 'role_based_access_control_enabled is false' : undefined),
  rule('CKV_AZURE_6', PolicyLevel.ERROR, 'AKS API servers must be private or restricted to authorized IP ranges.', CLUSTER,
    (c) => isTrue(c.config.private_cluster_enabled) || asList(firstBlock(c.config, 'api_server_access_profile')?.authorized_ip_ranges).length > 0
      ? undefined : 'neither private_cluster_enabled nor api_server_access_profile.authorized_ip_ranges is set'),
  rule('CKV_AZURE_7', PolicyLevel.ERROR, 'AKS clusters must enforce network policies.', CLUSTER,
    (c) => isSet(firstBlock(c.config, 'network_profile')?.network_policy) ? undefined : 'network_profile.network_policy is not set'),
  rule('CKV_AZURE_115', PolicyLevel.ERROR, 'AKS clusters must be private.', CLUSTER,
    (c) => isTrue(c.config.private_cluster_enabled) ? undefined : `private_cluster_enabled is ${shown(c.config.private_cluster_enabled)}`),
  rule('CKV_AZURE_116', PolicyLevel.ERROR, 'AKS clusters must run the Azure Policy add-on.', CLUSTER,
    (c) => isTrue(c.config.azure_policy_enabled) ? undefined : `azure_policy_enabled is ${shown(c.config.azure_policy_enabled)}`),
  rule('CKV_AZURE_117', PolicyLevel.ERROR, 'AKS node disks must be encrypted with a disk encryption set (customer-managed key).', CLUSTER,
    (c) => isSet(c.config.disk_encryption_set_id) ? undefined : 'disk_encryption_set_id is not set'),
  rule('CKV_AZURE_141', PolicyLevel.ERROR, 'AKS clusters must disable local accounts.', CLUSTER,
    (c) => isTrue(c.config.local_account_disabled) ? undefined : `local_account_disabled is ${shown(c.config.local_account_disabled)}`),
  rule('CKV_AZURE_143', PolicyLevel.ERROR, 'AKS nodes must not have public IP addresses.', CLUSTER,
    (c) => isTrue(defaultPool(c).node_public_ip_enabled) ? 'default_node_pool.node_public_ip_enabled is true' : undefined),
  rule('CKV_AZURE_168', PolicyLevel.ERROR, 'AKS node pools must allow at least 50 pods per node.', [...CLUSTER, ...POOL],
    (r) => {
      const pods = toNumber(r.type === 'azurerm_kubernetes_cluster' ? defaultPool(r).max_pods : r.config.max_pods) ?? 30;
      return pods >= 50 ? undefined : `max_pods is ${pods} (the default is 30)`;
    }),
  rule('CKV_AZURE_169', PolicyLevel.ERROR, 'AKS system nodes must run in virtual machine scale sets.', CLUSTER,
    (c) => defaultPool(c).type === 'AvailabilitySet' ? 'default_node_pool.type is "AvailabilitySet"' : undefined),
  rule('CKV_AZURE_170', PolicyLevel.ERROR, 'AKS clusters must use a paid tier with an uptime SLA (Standard).', CLUSTER,
    (c) => ['Standard', 'Premium'].includes(c.config.sku_tier) ? undefined : `sku_tier is ${shown(c.config.sku_tier)}`),
  rule('CKV_AZURE_171', PolicyLevel.ERROR, 'AKS clusters must follow an automatic upgrade channel.', CLUSTER,
    (c) => isSet(c.config.automatic_upgrade_channel) && c.config.automatic_upgrade_channel !== 'none'
      ? undefined : `automatic_upgrade_channel is ${shown(c.config.automatic_upgrade_channel)}`),
  rule('CKV_AZURE_172', PolicyLevel.ERROR, 'AKS clusters must rotate Secrets Store CSI driver secrets.', CLUSTER,
    (c) => isTrue(firstBlock(c.config, 'key_vault_secrets_provider')?.secret_rotation_enabled) ? undefined : 'key_vault_secrets_provider.secret_rotation_enabled is not true'),
  rule('CKV_AZURE_226', PolicyLevel.ERROR, 'AKS system nodes must use ephemeral OS disks.', CLUSTER,
    (c) => defaultPool(c).os_disk_type === 'Ephemeral' ? undefined : `default_node_pool.os_disk_type is ${shown(defaultPool(c).os_disk_type)}`),
  rule('CKV_AZURE_227', PolicyLevel.ERROR, 'AKS nodes must encrypt temporary disks and caches at the host.', [...CLUSTER, ...POOL],
    (r) => isTrue(r.type === 'azurerm_kubernetes_cluster' ? defaultPool(r).host_encryption_enabled : r.config.host_encryption_enabled)
      ? undefined : 'host_encryption_enabled is not true'),
  rule('CKV_AZURE_232', PolicyLevel.ERROR, 'AKS system nodes must run only critical add-ons.', CLUSTER,
    (c) => isTrue(defaultPool(c).only_critical_addons_enabled) ? undefined : 'default_node_pool.only_critical_addons_enabled is not true'),
  rule('CKV_AZURE_246', PolicyLevel.ERROR, 'AKS clusters must not enable HTTP application routing.', CLUSTER,
    (c) => isTrue(c.config.http_application_routing_enabled) ? 'http_application_routing_enabled is true' : undefined),
  rule('CKV2_AZURE_29', PolicyLevel.ERROR, 'AKS clusters must use Azure CNI networking.', CLUSTER,
    (c) => firstBlock(c.config, 'network_profile')?.network_plugin === 'azure' ? undefined
      : `network_profile.network_plugin is ${shown(firstBlock(c.config, 'network_profile')?.network_plugin)}`),
  rule('MLOPS_AZ_AKS_WORKLOAD_IDENTITY', PolicyLevel.ERROR, 'AKS clusters must enable the OIDC issuer and workload identity.', CLUSTER,
    (c) => isTrue(c.config.workload_identity_enabled) && !isFalse(c.config.oidc_issuer_enabled) ? undefined : 'workload_identity_enabled is not true'),

  rule('CKV2_AZURE_31', PolicyLevel.ERROR, 'Subnets must have a network security group (delegated and gateway subnets excepted).', ['azurerm_subnet'],
    (s, context) => {
      if (['GatewaySubnet', 'AzureFirewallSubnet', 'AzureBastionSubnet', 'RouteServerSubnet'].includes(s.config.name)) {
        return undefined;
      }
      return context.resourcesReferencing('azurerm_subnet_network_security_group_association', s).length > 0
        ? undefined : 'no azurerm_subnet_network_security_group_association names it';
    }),
];
