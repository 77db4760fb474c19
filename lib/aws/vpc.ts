import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc as VpcResource } from '@cdktf/provider-aws/lib/vpc';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkCidr, checkInteger, requireConstruct, requireProps } from '../core/validate';
import { AwsCloud } from './aws-cloud';
import { policyDocument, serviceTrustPolicy } from './iam-policy';
import { encryptedLogGroup } from './log-group';

/** Properties of a {@link Vpc}. */
export interface VpcProps {
  /** The cloud whose primary region the VPC lives in. */
  readonly cloud: AwsCloud;
  /**
   * IPv4 CIDR block, /16 to /20.
   *
   * @default '10.40.0.0/16'
   */
  readonly cidrBlock?: string;
  /**
   * Number of availability zones (2 to 6).
   *
   * @default 3
   */
  readonly availabilityZoneCount?: number;
  /**
   * Number of NAT gateways: one per AZ survives an AZ outage; one is cheaper.
   *
   * @default - one per availability zone
   */
  readonly natGatewayCount?: number;
}

/**
 * A VPC over two or more availability zones: private subnets for nodes and data, small public subnets only
 * for NAT gateways and load balancers, flow logs to an encrypted log group, and a default security group
 * with no rules.
 *
 * @example
 * const vpc = new Vpc(stack, 'Network', { cloud, cidrBlock: '10.40.0.0/16', availabilityZoneCount: 3 });
 */
export class Vpc extends Construct {
  /** The VPC. */
  public readonly resource: VpcResource;
  /** VPC ID. */
  public readonly vpcId: string;
  /** Private subnet IDs, one per AZ. */
  public readonly privateSubnetIds: string[];
  /** Public subnet IDs, one per AZ. */
  public readonly publicSubnetIds: string[];
  /** The CIDR block. */
  public readonly cidrBlock: string;
  private readonly privateSubnets: Subnet[] = [];

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud }');
    requireConstruct(this, 'cloud', props.cloud, 'an AwsCloud', (v) => v instanceof AwsCloud, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
    const cloud = props.cloud;
    const provider = cloud.provider;
    this.cidrBlock = props.cidrBlock ?? '10.40.0.0/16';
    const azCount = props.availabilityZoneCount ?? 3;
    checkCidr(this, 'cidrBlock', this.cidrBlock, 16, 20);
    checkInteger(this, 'availabilityZoneCount', azCount, 2, 6);
    const natCount = props.natGatewayCount ?? azCount;
    // At least one: nodes in private subnets pull images through NAT.
    checkInteger(this, 'natGatewayCount', natCount, 1, azCount);

    this.resource = new VpcResource(this, 'Resource', {
      provider, cidrBlock: this.cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: cloud.namePrefix },
    });
    this.vpcId = this.resource.id;
    // No rules at all: anything that needs traffic gets its own security group.
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', { provider, vpcId: this.vpcId, ingress: [], egress: [] });

    const azs = new DataAwsAvailabilityZones(this, 'Zones', {
      provider, state: 'available', filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });
    PolicySuppressions.add(azs, [{
      id: 'CKV_AWS_394',
      reason: 'Subnets take the first zones of the sorted name list and AWS names new zones with later letters, so an added zone ' +
        'comes last and the chosen zones stay the same.',
    }]);
    const igw = new InternetGateway(this, 'InternetGateway', { provider, vpcId: this.vpcId });
    const publicRoutes = new RouteTable(this, 'PublicRoutes', { provider, vpcId: this.vpcId });
    new Route(this, 'PublicDefaultRoute', { provider, routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });

    this.privateSubnetIds = [];
    this.publicSubnetIds = [];
    const natGateways: NatGateway[] = [];
    for (let i = 0; i < azCount; i++) {
      const az = Fn.element(azs.names, i);
      // Private subnets take /19s (for a /16) from the bottom; public ones /22s from the top.
      const privateSubnet = new Subnet(this, `PrivateSubnet${i + 1}`, {
        provider, vpcId: this.vpcId, availabilityZone: az, cidrBlock: Fn.cidrsubnet(this.cidrBlock, 3, i),
        mapPublicIpOnLaunch: false, tags: { 'Name': `${cloud.namePrefix}-private-${i + 1}`, 'kubernetes.io/role/internal-elb': '1' },
      });
      const publicSubnet = new Subnet(this, `PublicSubnet${i + 1}`, {
        provider, vpcId: this.vpcId, availabilityZone: az, cidrBlock: Fn.cidrsubnet(this.cidrBlock, 6, 56 + i),
        mapPublicIpOnLaunch: false, tags: { 'Name': `${cloud.namePrefix}-public-${i + 1}`, 'kubernetes.io/role/elb': '1' },
      });
      this.privateSubnetIds.push(privateSubnet.id);
      this.privateSubnets.push(privateSubnet);
      this.publicSubnetIds.push(publicSubnet.id);
      new RouteTableAssociation(this, `PublicSubnet${i + 1}Routes`, { provider, subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      if (i < natCount) {
        const eip = new Eip(this, `NatAddress${i + 1}`, { provider, domain: 'vpc', dependsOn: [igw] });
        natGateways.push(new NatGateway(this, `NatGateway${i + 1}`, { provider, allocationId: eip.allocationId, subnetId: publicSubnet.id }));
      }
      const privateRoutes = new RouteTable(this, `PrivateRoutes${i + 1}`, { provider, vpcId: this.vpcId });
      new Route(this, `PrivateDefaultRoute${i + 1}`, {
        provider, routeTableId: privateRoutes.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: natGateways[i % natCount]?.id ?? natGateways[0].id,
      });
      new RouteTableAssociation(this, `PrivateSubnet${i + 1}Routes`, { provider, subnetId: privateSubnet.id, routeTableId: privateRoutes.id });
    }
    this.addFlowLogs(cloud);
    const natGiB = cloud.stack.usage.natProcessedGiBPerMonth;
    cloud.stack.addCostLine({
      component: this.node.path, resource: `${natCount} NAT gateway(s)`, region: cloud.primaryRegion, unit: CostUnit.HOUR,
      baselineQuantity: natCount * HOURS_PER_MONTH, fullScaleQuantity: natCount * HOURS_PER_MONTH, priceKey: 'vpc:nat-gateway-hour',
      assumption: `${natCount} x ${HOURS_PER_MONTH} h; the Elastic IPs' public IPv4 charge is not counted`,
    });
    cloud.stack.addCostLine({
      component: this.node.path, resource: 'NAT gateway data processing', region: cloud.primaryRegion, unit: CostUnit.GB,
      baselineQuantity: natGiB, fullScaleQuantity: natGiB, priceKey: 'vpc:nat-gateway-gb',
      assumption: `usageAssumptions.natProcessedGiBPerMonth = ${natGiB} GiB`,
    });
  }

  private addFlowLogs(cloud: AwsCloud): void {
    const provider = cloud.provider;
    const logGroup = encryptedLogGroup(this, 'FlowLogGroup', cloud, `/aws/vpc/${cloud.namePrefix}/flow-logs`);
    const role = new IamRole(this, 'FlowLogRole', {
      provider,
      namePrefix: 'vpc-flow-logs-',
      assumeRolePolicy: serviceTrustPolicy(['vpc-flow-logs.amazonaws.com'], ['sts:AssumeRole'], { StringEquals: { 'aws:SourceAccount': cloud.accountId } }),
    });
    new IamRolePolicy(this, 'FlowLogPolicy', {
      provider,
      role: role.id,
      policy: policyDocument([{
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroup.arn, `${logGroup.arn}:*`],
      }]),
    });
    new FlowLog(this, 'FlowLog', {
      provider, vpcId: this.vpcId, trafficType: 'ALL', logDestinationType: 'cloud-watch-logs', logDestination: logGroup.arn,
      iamRoleArn: role.arn, maxAggregationInterval: 60,
    });
  }

  /**
   * Adds tags to every private subnet, e.g. the discovery tag Karpenter finds a cluster's node subnets by. Set
   * here, on the subnets' own tags, because a separate tag resource would fight the subnet over its tags.
   */
  public addPrivateSubnetTags(tags: { [key: string]: string }): void {
    for (const subnet of this.privateSubnets) {
      subnet.tags = { ...(subnet.tagsInput ?? {}), ...tags };
    }
  }
}
