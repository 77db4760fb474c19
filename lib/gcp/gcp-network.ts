import type { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import type { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import type { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import type { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import type { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import type { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import type { ServiceNetworkingConnection } from '@cdktf/provider-google/lib/service-networking-connection';
import { Construct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { PlatformStack } from '../core/platform-stack';
import { checkCidr, requireProps } from '../core/validate';
import type { GcpCloud } from './gcp-cloud';
import { loadGoogle } from './google-bindings';

/** Properties of a {@link GcpNetwork}. */
export interface GcpNetworkProps {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /**
   * Primary range of the subnet (nodes).
   *
   * @default '10.40.0.0/20'
   */
  readonly nodesCidr?: string;
  /**
   * Secondary range for pods (GKE VPC-native alias IPs).
   *
   * @default '10.64.0.0/14'
   */
  readonly podsCidr?: string;
  /**
   * Secondary range for services.
   *
   * @default '10.40.16.0/20'
   */
  readonly servicesCidr?: string;
  /**
   * Prefix length of the range reserved for private services access (Cloud SQL private IP).
   *
   * @default 16
   */
  readonly privateServicesPrefixLength?: number;
}

/**
 * A custom-mode VPC in the primary region for a GKE cluster: one subnet with secondary ranges for pods and
 * services, Private Google Access and flow logs on; a Cloud Router with Cloud NAT (errors and translations
 * logged) so private nodes reach the internet; and a range allocated for private services access with the
 * `servicenetworking` peering that Cloud SQL private IP needs. The peering uses `deletion_policy = "ABANDON"`:
 * Google releases it only after the Cloud SQL instances are gone, so deleting it from Terraform fails a destroy.
 *
 * @example
 * const network = new GcpNetwork(stack, 'Network', { cloud });
 */
export class GcpNetwork extends Construct {
  /** The VPC. */
  public readonly network: ComputeNetwork;
  /** The subnet of the nodes. */
  public readonly subnet: ComputeSubnetwork;
  /**
   * Explicit deny of all ingress at the lowest priority but one, logged: the VPC's own rules, not the implied
   * ones, decide (GKE adds its allow rules for the control plane and load balancer health checks above it).
   */
  public readonly denyAllIngress: ComputeFirewall;
  /** The Cloud Router. */
  public readonly router: ComputeRouter;
  /** The Cloud NAT gateway. */
  public readonly nat: ComputeRouterNat;
  /** The range reserved for private services access. */
  public readonly privateServiceRange: ComputeGlobalAddress;
  /** The private services access peering: Cloud SQL instances with private IP must depend on it. */
  public readonly privateServiceConnection: ServiceNetworkingConnection;
  /** Self link of the VPC. */
  public readonly networkSelfLink: string;
  /** ID of the VPC (`projects/<p>/global/networks/<name>`). */
  public readonly networkId: string;
  /** Self link of the subnet. */
  public readonly subnetSelfLink: string;
  /** Name of the secondary range for pods. */
  public readonly podsRangeName = 'pods';
  /** Name of the secondary range for services. */
  public readonly servicesRangeName = 'services';
  /** Region of the subnet. */
  public readonly region: string;

  constructor(scope: Construct, id: string, props: GcpNetworkProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud }');
    const cloud = props.cloud;
    const nodesCidr = props.nodesCidr ?? '10.40.0.0/20';
    const podsCidr = props.podsCidr ?? '10.64.0.0/14';
    const servicesCidr = props.servicesCidr ?? '10.40.16.0/20';
    checkCidr(this, 'nodesCidr', nodesCidr, 8, 29);
    checkCidr(this, 'podsCidr', podsCidr, 8, 24);
    checkCidr(this, 'servicesCidr', servicesCidr, 8, 27);
    const prefix = props.privateServicesPrefixLength ?? 16;
    if (typeof prefix !== 'number' || !Number.isInteger(prefix) || prefix < 8 || prefix > 24) {
      throw new ValidationError(this, 'privateServicesPrefixLength', prefix, 'must be a whole number from 8 to 24',
        'Use 16 (Google recommends at least /16 for private services access), or 20 for a small platform.');
    }
    const provider = cloud.provider;
    const name = `${cloud.namePrefix}-vpc`;
    this.region = cloud.primaryRegion;

    const { ComputeNetwork: Network } = loadGoogle<typeof import('@cdktf/provider-google/lib/compute-network')>('compute-network');
    this.network = new Network(this, 'Resource', {
      provider, name, autoCreateSubnetworks: false, routingMode: 'REGIONAL',
      description: `cdktf-mlops network of ${cloud.namePrefix}`,
    });
    this.networkSelfLink = this.network.selfLink;
    this.networkId = this.network.id;

    const { ComputeSubnetwork: Subnet } = loadGoogle<typeof import('@cdktf/provider-google/lib/compute-subnetwork')>('compute-subnetwork');
    this.subnet = new Subnet(this, 'Subnet', {
      provider, name: `${cloud.namePrefix}-nodes`, region: this.region, network: this.network.id, ipCidrRange: nodesCidr,
      privateIpGoogleAccess: true,
      secondaryIpRange: [
        { rangeName: this.podsRangeName, ipCidrRange: podsCidr },
        { rangeName: this.servicesRangeName, ipCidrRange: servicesCidr },
      ],
      logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
    });
    this.subnetSelfLink = this.subnet.selfLink;

    const { ComputeFirewall: Firewall } = loadGoogle<typeof import('@cdktf/provider-google/lib/compute-firewall')>('compute-firewall');
    this.denyAllIngress = new Firewall(this, 'DenyAllIngress', {
      provider, name: `${cloud.namePrefix}-deny-all-ingress`, network: this.network.id, direction: 'INGRESS', priority: 65534,
      sourceRanges: ['0.0.0.0/0'], deny: [{ protocol: 'all' }], logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
    });

    const { ComputeRouter: Router } = loadGoogle<typeof import('@cdktf/provider-google/lib/compute-router')>('compute-router');
    this.router = new Router(this, 'Router', { provider, name: `${cloud.namePrefix}-router`, region: this.region, network: this.network.id });
    const { ComputeRouterNat: Nat } = loadGoogle<typeof import('@cdktf/provider-google/lib/compute-router-nat')>('compute-router-nat');
    this.nat = new Nat(this, 'Nat', {
      provider, name: `${cloud.namePrefix}-nat`, region: this.region, router: this.router.name,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
      subnetwork: [{ name: this.subnet.id, sourceIpRangesToNat: ['ALL_IP_RANGES'] }],
      logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    });

    const { ComputeGlobalAddress: Address } = loadGoogle<typeof import('@cdktf/provider-google/lib/compute-global-address')>('compute-global-address');
    this.privateServiceRange = new Address(this, 'PrivateServiceRange', {
      provider, name: `${cloud.namePrefix}-private-services`, purpose: 'VPC_PEERING', addressType: 'INTERNAL',
      prefixLength: prefix, network: this.network.id,
    });
    const { ServiceNetworkingConnection: Connection } =
      loadGoogle<typeof import('@cdktf/provider-google/lib/service-networking-connection')>('service-networking-connection');
    this.privateServiceConnection = new Connection(this, 'PrivateServiceConnection', {
      provider, network: this.network.id, service: 'servicenetworking.googleapis.com',
      reservedPeeringRanges: [this.privateServiceRange.name],
      deletionPolicy: 'ABANDON',
    });

    const stack = PlatformStack.ofConstruct(this);
    stack.addCostLine({
      component: this.node.path, resource: 'Cloud NAT (per VM using it)', region: this.region, unit: CostUnit.HOUR,
      baselineQuantity: 3 * HOURS_PER_MONTH, fullScaleQuantity: 12 * HOURS_PER_MONTH, priceKey: 'nat:vm-hour',
      assumption: `3 (system nodes) to 12 VMs behind the gateway x ${HOURS_PER_MONTH} h`,
    });
    stack.addCostLine({
      component: this.node.path, resource: 'Cloud NAT data processing', region: this.region, unit: CostUnit.GB,
      baselineQuantity: stack.usage.natProcessedGiBPerMonth, fullScaleQuantity: stack.usage.natProcessedGiBPerMonth, priceKey: 'nat:data-gb',
      assumption: `${stack.usage.natProcessedGiBPerMonth} GiB a month (usageAssumptions.natProcessedGiBPerMonth)`,
    });
  }
}
