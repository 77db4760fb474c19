import { App } from 'cdktf';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { Vpc, VpcProps } from '../../lib/aws/vpc';
import { expectValidationError, newApp, newStack, readStackOutput, refTo, resourceAt, resourcesOfType } from '../helpers';

describe('Vpc', () => {
  let json: any;
  let twoAz: any;
  let oneNat: any;
  beforeAll(() => {
    // Three stacks in one app: one synth.
    const app: App = newApp();
    const build = (id: string, props: Partial<VpcProps>) => {
      const stack = newStack({}, app, id);
      new Vpc(stack, 'Network', { cloud: new AwsCloud(stack, 'Aws'), ...props });
    };
    build('test', {});
    build('two-az', { availabilityZoneCount: 2, cidrBlock: '10.50.0.0/20' });
    build('one-nat', { natGatewayCount: 1 });
    app.synth();
    json = readStackOutput(app.outdir, 'test').json;
    twoAz = readStackOutput(app.outdir, 'two-az').json;
    oneNat = readStackOutput(app.outdir, 'one-nat').json;
  });

  test('the VPC has DNS on and the default CIDR', () => {
    expect(resourcesOfType(json, 'aws_vpc')).toEqual([expect.objectContaining({
      cidr_block: '10.40.0.0/16', enable_dns_hostnames: true, enable_dns_support: true, tags: { Name: 'fraud-prod' }, provider: 'aws',
    })]);
  });

  test('one private and one public subnet per AZ, none mapping public IPs', () => {
    const subnets = resourcesOfType(json, 'aws_subnet');
    expect(subnets).toHaveLength(6);
    const zones = Object.keys(json.data.aws_availability_zones)[0];
    for (let i = 0; i < 3; i++) {
      const priv = resourceAt(json, 'aws_subnet', `test/Network/PrivateSubnet${i + 1}`);
      const pub = resourceAt(json, 'aws_subnet', `test/Network/PublicSubnet${i + 1}`);
      const az = `\${element(data.aws_availability_zones.${zones}.names, ${i})}`;
      expect(priv).toMatchObject({ availability_zone: az, cidr_block: `\${cidrsubnet("10.40.0.0/16", 3, ${i})}`, map_public_ip_on_launch: false });
      expect(pub).toMatchObject({ availability_zone: az, cidr_block: `\${cidrsubnet("10.40.0.0/16", 6, ${56 + i})}`, map_public_ip_on_launch: false });
      expect(priv.tags['kubernetes.io/role/internal-elb']).toBe('1');
      expect(pub.tags['kubernetes.io/role/elb']).toBe('1');
      expect(priv.vpc_id).toBe(refTo(json, 'aws_vpc', 'test/Network/Resource', 'id'));
    }
    expect(resourcesOfType(twoAz, 'aws_subnet')).toHaveLength(4);
    expect(resourceAt(twoAz, 'aws_subnet', 'two-az/Network/PrivateSubnet1').cidr_block).toBe('${cidrsubnet("10.50.0.0/20", 3, 0)}');
  });

  test('only available, non-opt-in zones are used', () => {
    expect(Object.values(json.data.aws_availability_zones)).toEqual([expect.objectContaining({
      state: 'available', filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    })]);
  });

  test('one NAT gateway per AZ by default, each private subnet routed through its own', () => {
    expect(resourcesOfType(json, 'aws_nat_gateway')).toHaveLength(3);
    expect(resourcesOfType(json, 'aws_eip')).toHaveLength(3);
    for (let i = 1; i <= 3; i++) {
      const route = resourceAt(json, 'aws_route', `test/Network/PrivateDefaultRoute${i}`);
      expect(route.destination_cidr_block).toBe('0.0.0.0/0');
      expect(route.nat_gateway_id).toBe(refTo(json, 'aws_nat_gateway', `test/Network/NatGateway${i}`, 'id'));
      expect(resourceAt(json, 'aws_nat_gateway', `test/Network/NatGateway${i}`).subnet_id).toBe(refTo(json, 'aws_subnet', `test/Network/PublicSubnet${i}`, 'id'));
    }
    expect(resourceAt(json, 'aws_route', 'test/Network/PublicDefaultRoute').gateway_id).toBe(refTo(json, 'aws_internet_gateway', 'test/Network/InternetGateway', 'id'));
  });

  test('natGatewayCount 1 routes every private subnet through the one NAT gateway', () => {
    expect(resourcesOfType(oneNat, 'aws_nat_gateway')).toHaveLength(1);
    const nat = refTo(oneNat, 'aws_nat_gateway', 'one-nat/Network/NatGateway1', 'id');
    expect(resourcesOfType(oneNat, 'aws_route').filter((r) => r.nat_gateway_id).map((r) => r.nat_gateway_id)).toEqual([nat, nat, nat]);
  });

  test('flow logs capture all traffic into an encrypted log group kept a year', () => {
    const flowLog = resourcesOfType(json, 'aws_flow_log');
    expect(flowLog).toHaveLength(1);
    expect(flowLog[0]).toMatchObject({
      vpc_id: refTo(json, 'aws_vpc', 'test/Network/Resource', 'id'), traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs',
      log_destination: refTo(json, 'aws_cloudwatch_log_group', 'test/Network/FlowLogGroup', 'arn'),
      iam_role_arn: refTo(json, 'aws_iam_role', 'test/Network/FlowLogRole', 'arn'),
    });
    expect(resourceAt(json, 'aws_cloudwatch_log_group', 'test/Network/FlowLogGroup')).toMatchObject({
      name: '/aws/vpc/fraud-prod/flow-logs', retention_in_days: 365, kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryLogsKey/Resource', 'arn'),
    });
    const trust = JSON.parse(resourceAt(json, 'aws_iam_role', 'test/Network/FlowLogRole').assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ Service: 'vpc-flow-logs.amazonaws.com' });
    expect(trust.Statement[0].Condition.StringEquals['aws:SourceAccount']).toMatch(/^\$\{data\.aws_caller_identity\./);
  });

  test('the default security group has no rules', () => {
    expect(resourcesOfType(json, 'aws_default_security_group')).toEqual([expect.objectContaining({
      vpc_id: refTo(json, 'aws_vpc', 'test/Network/Resource', 'id'), ingress: [], egress: [],
    })]);
  });
});

describe('Vpc validation', () => {
  function build(props: Partial<VpcProps>) {
    const stack = newStack();
    return () => new Vpc(stack, 'Network', { cloud: new AwsCloud(stack, 'Aws'), ...props });
  }

  test.each(['10.0.0.0/8', '10.0.0.0/15', '10.0.0.0/21', '10.0.0.0/24', '300.0.0.0/16', '10.0.0/16', 'not-a-cidr', '10.0.0.0'])('cidrBlock %p is rejected', (cidrBlock) => {
    expectValidationError(build({ cidrBlock }), 'test/Network', 'cidrBlock', /must be an IPv4 CIDR block with a prefix from \/16 to \/20/);
  });

  test.each(['10.0.0.0/16', '172.16.0.0/20', '192.168.0.0/18'])('cidrBlock %p is accepted', (cidrBlock) => {
    expect(build({ cidrBlock })).not.toThrow();
  });

  test.each([1, 7, 0, 2.5])('availabilityZoneCount %p is rejected', (availabilityZoneCount) => {
    expectValidationError(build({ availabilityZoneCount }), 'test/Network', 'availabilityZoneCount',
      new RegExp(`must be a whole number from 2 to 6 \\(got ${availabilityZoneCount}\\)`));
  });

  test.each([[0, 3], [4, 3], [3, 2]])('natGatewayCount %p with %p AZs is rejected', (natGatewayCount, availabilityZoneCount) => {
    expectValidationError(build({ natGatewayCount, availabilityZoneCount }), 'test/Network', 'natGatewayCount',
      new RegExp(`must be a whole number from 1 to ${availabilityZoneCount} \\(got ${natGatewayCount}\\)`));
  });
});
