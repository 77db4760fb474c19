import type { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import type { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import type { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import type { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import type { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { checkCidr, isUnresolved } from '../core/validate';
import type { AzureCloud } from './azure-cloud';
import { AzurePrivateLinkService, POSTGRES_PRIVATE_DNS_ZONE, PRIVATE_LINK_DETAILS } from './azure-private-link';
import { loadAzurerm } from './azurerm-bindings';

/** Options of the platform network (part of {@link AzureCloudProps}). */
export interface AzureNetworkOptions {
  /**
   * Address space of the VNet: a /16. Subnets: AKS nodes `x.y.0.0/20`, AKS API server (VNet integration)
   * `x.y.16.0/28`, private endpoints `x.y.17.0/24`, PostgreSQL (delegated) `x.y.18.0/24`. Pods get overlay
   * addresses outside the VNet (`podCidr`).
   *
   * @default '10.60.0.0/16'
   */
  readonly addressSpace?: string;
  /**
   * Pod CIDR of Azure CNI overlay (not routable in the VNet; must not overlap it, the service CIDR or peered
   * networks).
   *
   * @default '192.168.0.0/16'
   */
  readonly podCidr?: string;
}

/** Properties of an {@link AzureNetwork}. */
export interface AzureNetworkProps extends AzureNetworkOptions {
  /** The cloud. */
  readonly cloud: AzureCloud;
}

/** Options for {@link AzureNetwork.addPrivateEndpoint}. */
export interface AzurePrivateEndpointOptions {
  /** ARM ID of the resource (storage account, registry, vault) the endpoint connects to. */
  readonly resourceId: string;
  /** Which service (sets the sub-resource and the private DNS zone). */
  readonly service: AzurePrivateLinkService;
  /** Name of the endpoint (unique in the resource group), e.g. `pe-<resource name>`. */
  readonly endpointName: string;
}

/**
 * The platform network in the primary region: a VNet with subnets for AKS nodes, the AKS API server (VNet
 * integration, delegated), private endpoints and PostgreSQL flexible server (delegated), each with a network
 * security group (Azure's default rules: VNet and load-balancer traffic in, Internet in denied); egress through a
 * NAT gateway with one static public IP (subnets have default outbound access off, so nothing leaves any other
 * way); private DNS zones for Blob, ACR, Key Vault and PostgreSQL linked to the VNet. Private endpoints of
 * resources in either region live in the private-endpoint subnet (Azure private endpoints work across regions).
 *
 * Created by {@link AzureCloud} as `cloud.network`.
 *
 * @example
 * const cloud = new AzureCloud(stack, 'Azure', { subscriptionId, network: { addressSpace: '10.70.0.0/16' } });
 * cloud.network.addPrivateEndpoint(store, 'PrivateEndpoint', { resourceId: account.id, service: AzurePrivateLinkService.BLOB, endpointName: 'pe-data' });
 */
export class AzureNetwork extends Construct {
  /** The VNet. */
  public readonly vnet: VirtualNetwork;
  /** Subnet of the AKS nodes. */
  public readonly nodeSubnet: Subnet;
  /** Subnet delegated to AKS for the API server (VNet integration). */
  public readonly apiServerSubnet: Subnet;
  /** Subnet of private endpoints. */
  public readonly privateEndpointSubnet: Subnet;
  /** Subnet delegated to PostgreSQL flexible servers. */
  public readonly postgresSubnet: Subnet;
  /** ID of the delegated PostgreSQL subnet (`delegated_subnet_id`). */
  public readonly postgresSubnetId: string;
  /** The NAT gateway of node egress. */
  public readonly natGateway: NatGateway;
  /** The NAT gateway's static public IP (allow-list it where the platform calls out). */
  public readonly egressIp: PublicIp;
  /** Pod CIDR of Azure CNI overlay. */
  public readonly podCidr: string;
  /** Region of the network. */
  public readonly region: string;
  private readonly cloud: AzureCloud;
  private readonly zones = new Map<string, PrivateDnsZone>();
  private readonly zoneLinks = new Map<string, PrivateDnsZoneVirtualNetworkLink>();

  constructor(scope: Construct, id: string, props: AzureNetworkProps) {
    super(scope, id);
    const cloud = props.cloud;
    this.cloud = cloud;
    const addressSpace = props.addressSpace ?? '10.60.0.0/16';
    checkCidr(this, 'network.addressSpace', addressSpace, 16, 16);
    this.podCidr = props.podCidr ?? '192.168.0.0/16';
    checkCidr(this, 'network.podCidr', this.podCidr, 10, 18);
    if (!isUnresolved(addressSpace) && !isUnresolved(this.podCidr) && overlaps(addressSpace, this.podCidr)) {
      throw new ValidationError(this, 'network.podCidr', this.podCidr, `overlaps the VNet address space ${addressSpace}`,
        'Use a pod CIDR outside the VNet, e.g. "192.168.0.0/16".');
    }
    const [a, b] = addressSpace.split('.');
    const net = `${a}.${b}`;
    this.region = cloud.primaryRegion;
    const rg = cloud.resourceGroupName();
    const base = { provider: cloud.provider, resourceGroupName: rg };
    const { VirtualNetwork: Vnet } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/virtual-network')>('virtual-network');
    this.vnet = new Vnet(this, 'Resource', { ...base, name: `vnet-${cloud.namePrefix}`, location: this.region, addressSpace: [addressSpace] });

    const { PublicIp: Ip } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/public-ip')>('public-ip');
    const { NatGateway: Nat } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/nat-gateway')>('nat-gateway');
    const { NatGatewayPublicIpAssociation } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association')>('nat-gateway-public-ip-association');
    this.egressIp = new Ip(this, 'EgressIp', {
      ...base, name: `pip-${cloud.namePrefix}-egress`, location: this.region, allocationMethod: 'Static', sku: 'Standard',
    });
    this.natGateway = new Nat(this, 'NatGateway', {
      ...base, name: `ng-${cloud.namePrefix}`, location: this.region, skuName: 'Standard', idleTimeoutInMinutes: 10,
    });
    new NatGatewayPublicIpAssociation(this, 'NatGatewayIp', { provider: cloud.provider, natGatewayId: this.natGateway.id, publicIpAddressId: this.egressIp.id });

    this.nodeSubnet = this.subnet('Nodes', 'snet-aks-nodes', `${net}.0.0/20`, true);
    this.apiServerSubnet = this.subnet('ApiServer', 'snet-aks-apiserver', `${net}.16.0/28`, false, 'Microsoft.ContainerService/managedClusters');
    this.privateEndpointSubnet = this.subnet('PrivateEndpoints', 'snet-private-endpoints', `${net}.17.0/24`, false);
    this.privateEndpointSubnet.privateEndpointNetworkPolicies = 'Enabled';
    this.postgresSubnet = this.subnet('Postgres', 'snet-postgres', `${net}.18.0/24`, false, 'Microsoft.DBforPostgreSQL/flexibleServers');
    this.postgresSubnetId = this.postgresSubnet.id;

    cloud.stack.addCostLine({
      component: this.node.path, resource: 'NAT gateway', region: this.region, unit: CostUnit.HOUR,
      baselineQuantity: HOURS_PER_MONTH, fullScaleQuantity: HOURS_PER_MONTH, priceKey: 'nat:gateway-hour',
      assumption: `one NAT gateway for node egress x ${HOURS_PER_MONTH} h`,
    });
    cloud.stack.addCostLine({
      component: this.node.path, resource: 'NAT gateway data processed', region: this.region, unit: CostUnit.GB,
      baselineQuantity: cloud.stack.usage.natProcessedGiBPerMonth, fullScaleQuantity: cloud.stack.usage.natProcessedGiBPerMonth, priceKey: 'nat:data-gb',
      assumption: `${cloud.stack.usage.natProcessedGiBPerMonth} GiB a month (usageAssumptions.natProcessedGiBPerMonth)`,
    });
    cloud.stack.addCostLine({
      component: this.node.path, resource: 'Static public IP (Standard)', region: this.region, unit: CostUnit.HOUR,
      baselineQuantity: HOURS_PER_MONTH, fullScaleQuantity: HOURS_PER_MONTH, priceKey: 'publicip:standard-hour',
      assumption: `the NAT gateway's egress address x ${HOURS_PER_MONTH} h`,
    });
  }

  /**
   * The private DNS zone of a service (`privatelink.blob.core.windows.net`, ...) or of PostgreSQL, created on first
   * use in the primary resource group and linked to the VNet.
   */
  public privateDnsZone(zoneName: string): PrivateDnsZone {
    let zone = this.zones.get(zoneName);
    if (!zone) {
      const { PrivateDnsZone: Zone } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/private-dns-zone')>('private-dns-zone');
      const { PrivateDnsZoneVirtualNetworkLink: Link } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link')>('private-dns-zone-virtual-network-link');
      const id = zoneName.split('.').slice(0, 2).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
      zone = new Zone(this, `${id}Zone`, { provider: this.cloud.provider, name: zoneName, resourceGroupName: this.cloud.resourceGroupName() });
      const link = new Link(this, `${id}ZoneLink`, {
        provider: this.cloud.provider,
        name: `link-${this.cloud.namePrefix}`,
        privateDnsZoneName: zone.name,
        resourceGroupName: this.cloud.resourceGroupName(),
        virtualNetworkId: this.vnet.id,
        registrationEnabled: false,
      });
      this.cloud._v5Override(link, { private_dns_zone_id: zone.id }, ['private_dns_zone_name', 'resource_group_name']);
      this.zoneLinks.set(zoneName, link);
      this.zones.set(zoneName, zone);
      this.cloud.stack.addCostLine({
        component: this.node.path, resource: `Private DNS zone ${zoneName}`, region: this.region, unit: CostUnit.MONTH,
        baselineQuantity: 1, fullScaleQuantity: 1, priceKey: 'privatedns:zone', assumption: 'one hosted zone; queries not counted',
      });
    }
    return zone;
  }

  /** ID of the private DNS zone PostgreSQL flexible servers with private access use (linked to the VNet). */
  public get postgresPrivateDnsZoneId(): string {
    return this.privateDnsZone(POSTGRES_PRIVATE_DNS_ZONE).id;
  }

  /**
   * The link of the PostgreSQL private DNS zone to the VNet. A server with private access must be created after it:
   * Azure otherwise links the zone itself and the Terraform link then fails as a duplicate (the provider documents
   * `depends_on` the link).
   */
  public get postgresPrivateDnsZoneLink(): PrivateDnsZoneVirtualNetworkLink {
    this.privateDnsZone(POSTGRES_PRIVATE_DNS_ZONE);
    return this.zoneLinks.get(POSTGRES_PRIVATE_DNS_ZONE)!;
  }

  /**
   * A private endpoint for a resource in the private-endpoint subnet, registered in the service's private DNS
   * zone, created as `<scope>/<id>`. Returns the endpoint: data-plane writes from inside the VNet depend on it.
   */
  public addPrivateEndpoint(scope: Construct, id: string, options: AzurePrivateEndpointOptions): PrivateEndpoint {
    const details = PRIVATE_LINK_DETAILS[options.service];
    if (!details) {
      throw new ValidationError(scope, 'service', options.service, 'is not an AzurePrivateLinkService',
        `Use one of ${Object.keys(PRIVATE_LINK_DETAILS).map((k) => `AzurePrivateLinkService.${k}`).join(', ')}.`);
    }
    const zone = this.privateDnsZone(details.zone);
    const { PrivateEndpoint: Endpoint } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/private-endpoint')>('private-endpoint');
    const endpoint = new Endpoint(scope, id, {
      provider: this.cloud.provider,
      name: options.endpointName,
      location: this.region,
      resourceGroupName: this.cloud.resourceGroupName(),
      subnetId: this.privateEndpointSubnet.id,
      privateServiceConnection: {
        name: options.endpointName,
        privateConnectionResourceId: options.resourceId,
        subresourceNames: [details.subresource],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [zone.id] },
    });
    this.cloud.stack.addCostLine({
      component: endpoint.node.path, resource: 'Private endpoint', region: this.region, unit: CostUnit.HOUR,
      baselineQuantity: HOURS_PER_MONTH, fullScaleQuantity: HOURS_PER_MONTH, priceKey: 'privatelink:endpoint-hour',
      assumption: `one endpoint x ${HOURS_PER_MONTH} h; data processed ($0.01/GB) not counted`,
    });
    return endpoint;
  }

  private subnet(id: string, name: string, cidr: string, nat: boolean, delegation?: string): Subnet {
    const cloud = this.cloud;
    const { Subnet: SubnetResource } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/subnet')>('subnet');
    const { NetworkSecurityGroup } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/network-security-group')>('network-security-group');
    const { SubnetNetworkSecurityGroupAssociation } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/subnet-network-security-group-association')>('subnet-network-security-group-association');
    const { SubnetNatGatewayAssociation } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/subnet-nat-gateway-association')>('subnet-nat-gateway-association');
    const subnet = new SubnetResource(this, `${id}Subnet`, {
      provider: cloud.provider,
      name,
      resourceGroupName: cloud.resourceGroupName(),
      virtualNetworkName: this.vnet.name,
      addressPrefixes: [cidr],
      // Private subnets: no implicit Internet egress; nodes leave through the NAT gateway only.
      defaultOutboundAccessEnabled: false,
      delegation: delegation ? [{ name: 'delegation', serviceDelegation: { name: delegation } }] : undefined,
    });
    const nsg = new NetworkSecurityGroup(this, `${id}Nsg`, {
      provider: cloud.provider, name: `nsg-${cloud.namePrefix}-${name.replace(/^snet-/, '')}`, location: this.region,
      resourceGroupName: cloud.resourceGroupName(),
    });
    new SubnetNetworkSecurityGroupAssociation(this, `${id}NsgAssociation`, { provider: cloud.provider, subnetId: subnet.id, networkSecurityGroupId: nsg.id });
    if (nat) {
      new SubnetNatGatewayAssociation(this, `${id}NatAssociation`, { provider: cloud.provider, subnetId: subnet.id, natGatewayId: this.natGateway.id });
    }
    return subnet;
  }
}

function toRange(cidr: string): [number, number] {
  const [ip, prefix] = cidr.split('/');
  const start = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

function overlaps(x: string, y: string): boolean {
  const [a1, a2] = toRange(x);
  const [b1, b2] = toRange(y);
  return a1 <= b2 && b1 <= a2;
}
