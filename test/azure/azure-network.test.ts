import { AzurePrivateLinkService } from '../../lib/azure/azure-private-link';
import { AzureTagsAspect } from '../../lib/azure/azure-tags';
import { expectValidationError, resourceAt, resourcesOfType, synthStack } from '../helpers';
import { newAzureCloud, newAzureStack } from './azure-test-helpers';

describe('AzureNetwork', () => {
  test('creates a VNet with node, API server, private endpoint and delegated PostgreSQL subnets, each with an NSG', () => {
    const { stack } = newAzureCloud();
    const { json } = synthStack(stack);
    expect(resourcesOfType(json, 'azurerm_virtual_network')[0]).toMatchObject({ address_space: ['10.60.0.0/16'], location: 'eastus2' });
    const subnets = Object.fromEntries(resourcesOfType(json, 'azurerm_subnet').map((s) => [s.name, s]));
    expect(subnets['snet-aks-nodes']).toMatchObject({ address_prefixes: ['10.60.0.0/20'], default_outbound_access_enabled: false });
    expect(subnets['snet-aks-apiserver']).toMatchObject({
      address_prefixes: ['10.60.16.0/28'], delegation: [{ service_delegation: { name: 'Microsoft.ContainerService/managedClusters' } }],
    });
    expect(subnets['snet-private-endpoints']).toMatchObject({ address_prefixes: ['10.60.17.0/24'], private_endpoint_network_policies: 'Enabled' });
    expect(subnets['snet-postgres']).toMatchObject({
      address_prefixes: ['10.60.18.0/24'], delegation: [{ service_delegation: { name: 'Microsoft.DBforPostgreSQL/flexibleServers' } }],
    });
    expect(resourcesOfType(json, 'azurerm_network_security_group')).toHaveLength(4);
    expect(resourcesOfType(json, 'azurerm_subnet_network_security_group_association')).toHaveLength(4);
  });

  test('sends node egress through a NAT gateway with one static public IP', () => {
    const { stack, cloud } = newAzureCloud();
    const { json } = synthStack(stack);
    expect(resourcesOfType(json, 'azurerm_nat_gateway')[0]).toMatchObject({ sku_name: 'Standard' });
    expect(resourcesOfType(json, 'azurerm_public_ip')[0]).toMatchObject({ allocation_method: 'Static', sku: 'Standard' });
    const assoc = resourcesOfType(json, 'azurerm_subnet_nat_gateway_association');
    expect(assoc).toHaveLength(1);
    expect(assoc[0].subnet_id).toMatch(/azurerm_subnet\.Azure_Network_NodesSubnet/);
    expect(cloud.network.podCidr).toBe('192.168.0.0/16');
  });

  test('links one private DNS zone per service to the VNet and registers private endpoints in it', () => {
    const { stack, cloud } = newAzureCloud();
    cloud.network.addPrivateEndpoint(stack, 'BlobEndpoint', {
      resourceId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z', service: AzurePrivateLinkService.BLOB, endpointName: 'pe-z',
    });
    expect(cloud.network.postgresPrivateDnsZoneId).toBeDefined();
    const { json } = synthStack(stack);
    const zones = resourcesOfType(json, 'azurerm_private_dns_zone').map((z) => z.name).sort();
    expect(zones).toEqual(['privatelink.blob.core.windows.net', 'privatelink.postgres.database.azure.com']);
    expect(resourcesOfType(json, 'azurerm_private_dns_zone_virtual_network_link')).toHaveLength(2);
    const endpoint = resourceAt(json, 'azurerm_private_endpoint', 'BlobEndpoint');
    expect(endpoint).toMatchObject({
      name: 'pe-z',
      private_service_connection: { subresource_names: ['blob'], is_manual_connection: false },
      private_dns_zone_group: { name: 'default' },
    });
    expect(endpoint.subnet_id).toMatch(/azurerm_subnet\.Azure_Network_PrivateEndpointsSubnet/);
    expect(endpoint.private_dns_zone_group.private_dns_zone_ids[0]).toMatch(/azurerm_private_dns_zone\.Azure_Network_PrivatelinkBlobZone/);
  });

  test('prices the NAT gateway, its IP, data processed and private endpoints', () => {
    const { stack, cloud } = newAzureCloud();
    cloud.keyVault();
    const { report } = synthStack(stack);
    const keys = report.costEstimate.lines.map((l: any) => l.line?.priceKey ?? l.priceKey);
    expect(keys).toEqual(expect.arrayContaining(['nat:gateway-hour', 'nat:data-gb', 'publicip:standard-hour', 'privatelink:endpoint-hour', 'privatedns:zone']));
    expect(report.costEstimate.warnings).toEqual([]);
  });

  test('validates the address space and pod CIDR', () => {
    expectValidationError(() => newAzureCloud({ network: { addressSpace: '10.60.0.0/20' } }), 'azure/Azure/Network', 'network.addressSpace', /prefix from \/16 to \/16/);
    expectValidationError(() => newAzureCloud({ network: { podCidr: '10.60.128.0/17' } }), 'azure/Azure/Network', 'network.podCidr', /overlaps the VNet/);
    expectValidationError(() => newAzureCloud({ network: { podCidr: '192.168.1.0/16' } }), 'azure/Azure/Network', 'network.podCidr', /host bits set/);
  });

  test('rejects an unknown private link service', () => {
    const { stack, cloud } = newAzureCloud();
    expectValidationError(() => cloud.network.addPrivateEndpoint(stack, 'X', { resourceId: 'id', service: 'FILE' as AzurePrivateLinkService, endpointName: 'pe-x' }),
      'azure', 'service', /is not an AzurePrivateLinkService/);
  });
});

describe('AzureTagsAspect', () => {
  test('is added once per stack and keeps tags a construct sets', () => {
    const { stack, cloud } = newAzureCloud({}, newAzureStack());
    expect(AzureTagsAspect.applyTo(stack, { other: 'x' })).toBe(AzureTagsAspect.applyTo(stack, {}));
    cloud.network.vnet.tags = { team: 'network-team' };
    const { json } = synthStack(stack);
    expect(resourcesOfType(json, 'azurerm_virtual_network')[0].tags).toMatchObject({ 'team': 'network-team', 'cost-center': 'cc-4512' });
  });
});
