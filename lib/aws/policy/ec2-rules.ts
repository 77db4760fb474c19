/* EC2 and VPC rules: instance metadata, EBS encryption, security-group exposure and subnets. */
import { IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, firstBlock, isSet, isTrue, isUnknown, rule, shown, toNumber } from './rule';

const LAUNCH_TEMPLATE = ['aws_launch_template'];
const INGRESS_TYPES = ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'];
const WORLD = ['0.0.0.0/0', '::/0'];

/** One ingress permission, whichever of the three resource shapes it came from. */
interface Ingress {
  readonly cidrs: string[];
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/** The ingress permissions a resource grants. */
function ingressOf(resource: PolicyResource): Ingress[] {
  const c = resource.config;
  const fromClassic = (i: any): Ingress => ({
    cidrs: [...asList(i?.cidr_blocks), ...asList(i?.ipv6_cidr_blocks)],
    protocol: String(i?.protocol ?? ''), fromPort: toNumber(i?.from_port), toPort: toNumber(i?.to_port),
  });
  switch (resource.type) {
    case 'aws_security_group':
      return asList(c.ingress).map(fromClassic);
    case 'aws_security_group_rule':
      return c.type === 'ingress' ? [fromClassic(c)] : [];
    default: // aws_vpc_security_group_ingress_rule
      return [{
        cidrs: [c.cidr_ipv4, c.cidr_ipv6].filter((x) => x !== undefined),
        protocol: String(c.ip_protocol ?? ''), fromPort: toNumber(c.from_port), toPort: toNumber(c.to_port),
      }];
  }
}

/** True when the permission lets traffic reach the port (any protocol but ICMP). */
function coversPort(i: Ingress, port: number): boolean {
  const protocol = i.protocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') {
    return true;
  }
  if (['icmp', '1', 'icmpv6', '58'].includes(protocol)) {
    return false;
  }
  // Missing ports on a port-based protocol are treated as the whole range, erring on the side of a finding.
  return (i.fromPort ?? 0) <= port && port <= (i.toPort ?? 65535);
}

/** The world-open CIDR of an ingress permission, if any. */
function worldCidr(i: Ingress): string | undefined {
  return i.cidrs.find((c) => WORLD.includes(c));
}

function portRange(i: Ingress): string {
  return i.fromPort === undefined ? 'all ports' : i.fromPort === i.toPort ? `port ${i.fromPort}` : `ports ${i.fromPort}-${i.toPort}`;
}

/** A rule that no ingress opens `port` to the internet. */
function noOpenPort(id: string, port: number, service: string): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, `Security groups must not allow ingress from 0.0.0.0/0 or ::/0 to port ${port} (${service}).`, INGRESS_TYPES,
    (resource) => {
      const open = ingressOf(resource).find((i) => worldCidr(i) && coversPort(i, port));
      return open ? `ingress from ${worldCidr(open)} reaches port ${port} (${service}) via protocol ${open.protocol} ${portRange(open)}` : undefined;
    });
}

/** The launch template's metadata_options block, or {} when absent. */
function metadataOptions(template: PolicyResource): { [key: string]: any } {
  return firstBlock(template.config, 'metadata_options') ?? {};
}

export const EC2_RULES: IPolicyRule[] = [
  rule('CKV_AWS_79', PolicyLevel.ERROR, 'Launch templates must require IMDSv2 (metadata_options.http_tokens = "required").', LAUNCH_TEMPLATE,
    (template) => {
      const tokens = metadataOptions(template).http_tokens;
      return tokens === 'required' ? undefined : `metadata_options.http_tokens is ${shown(tokens)}, not "required"`;
    }),

  // checkov wants a hop limit of 1, but 2 is the documented setting for containers that must reach IMDS,
  // so above 1 is a warning here and only above 2 (MLOPS_IMDS_HOP_LIMIT) is an error.
  rule('CKV_AWS_341', PolicyLevel.WARNING, 'Launch templates should set metadata_options.http_put_response_hop_limit to 1, so containers cannot reach IMDS.',
    LAUNCH_TEMPLATE,
    (template) => {
      const value = metadataOptions(template).http_put_response_hop_limit;
      const hops = toNumber(value);
      if (isUnknown(value) || (hops !== undefined && hops <= 1)) {
        return undefined;
      }
      return hops === undefined
        ? 'metadata_options.http_put_response_hop_limit is not set, so the AMI default (2 on Amazon Linux 2023) applies'
        : `metadata_options.http_put_response_hop_limit is ${hops}, above 1`;
    }),
  rule('MLOPS_IMDS_HOP_LIMIT', PolicyLevel.ERROR, 'Launch templates must not set metadata_options.http_put_response_hop_limit above 2.', LAUNCH_TEMPLATE,
    (template) => {
      const hops = toNumber(metadataOptions(template).http_put_response_hop_limit);
      return hops !== undefined && hops > 2 ? `metadata_options.http_put_response_hop_limit is ${hops}, above 2` : undefined;
    }),

  rule('MLOPS_EBS_ENCRYPTED', PolicyLevel.ERROR, 'Launch template EBS volumes must be encrypted with a customer-managed KMS key.', LAUNCH_TEMPLATE,
    (template) => {
      for (const mapping of asList(template.config.block_device_mappings)) {
        const ebs = firstBlock(mapping, 'ebs');
        if (!ebs) {
          continue; // instance-store or suppressed device: no EBS volume
        }
        const device = mapping.device_name ?? '(unnamed device)';
        if (!isTrue(ebs.encrypted) && !isUnknown(ebs.encrypted)) {
          return `block_device_mappings ${device}: ebs.encrypted is not true (it is ${shown(ebs.encrypted)})`;
        }
        if (!isSet(ebs.kms_key_id)) {
          return `block_device_mappings ${device}: ebs.kms_key_id is not set`;
        }
      }
      return undefined;
    }),

  rule('MLOPS_SG_OPEN_INGRESS', PolicyLevel.ERROR, 'Security groups must not allow ingress from 0.0.0.0/0 or ::/0 on any port.', INGRESS_TYPES,
    (resource) => {
      const open = ingressOf(resource).find((i) => worldCidr(i));
      return open ? `ingress allows ${worldCidr(open)} on protocol ${open.protocol} ${portRange(open)}` : undefined;
    }),
  noOpenPort('CKV_AWS_24', 22, 'SSH'),
  noOpenPort('CKV_AWS_25', 3389, 'RDP'),
  noOpenPort('CKV_AWS_260', 80, 'HTTP'),

  rule('CKV2_AWS_12', PolicyLevel.ERROR, 'The default security group of a VPC must have no rules, so nothing uses it by accident.',
    ['aws_default_security_group'],
    (group) => {
      const rules = [...asList(group.config.ingress).map(() => 'ingress'), ...asList(group.config.egress).map(() => 'egress')];
      return rules.length === 0 ? undefined : `the default security group has ${rules.length} rule(s) (${[...new Set(rules)].join(', ')})`;
    }),

  rule('CKV_AWS_130', PolicyLevel.ERROR, 'Subnets must not assign public IPs on launch.', ['aws_subnet'],
    (subnet) => isTrue(subnet.config.map_public_ip_on_launch) ? 'map_public_ip_on_launch is true' : undefined),

  rule('CKV_AWS_394', PolicyLevel.ERROR, 'aws_availability_zones data sources must select zones by identity (a zone-name or zone-id ' +
    'filter), so a zone AWS adds cannot change the zones the stack uses.', ['data.aws_availability_zones'],
    (zones) => asList(zones.config.filter).some((f) => ['zone-name', 'zone-id'].includes(f?.name))
      ? undefined : 'no filter on zone-name or zone-id, so the result grows when AWS adds a zone'),
];
