/* EKS rules: control-plane logging, endpoint exposure, secrets encryption, version support and node access. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { asList, firstBlock, isFalse, isSet, isUnknown, rule } from './rule';

const CLUSTER = ['aws_eks_cluster'];
const NODE_GROUP = ['aws_eks_node_group'];

/** Every control-plane log type; audit and authenticator logs are what an incident review needs. */
const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Oldest Kubernetes version accepted; raise it as versions leave EKS standard support. */
const MIN_VERSION: [number, number] = [1, 35];

/** "1.35" as [1, 35]; undefined when the version is not a literal major.minor. */
function parseVersion(version: any): [number, number] | undefined {
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)/.exec(version) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export const EKS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_37', PolicyLevel.ERROR, `EKS clusters must send all control-plane logs (${LOG_TYPES.join(', ')}) to CloudWatch.`, CLUSTER,
    (cluster) => {
      const enabled = cluster.config.enabled_cluster_log_types;
      if (isUnknown(enabled)) {
        return undefined;
      }
      const missing = LOG_TYPES.filter((t) => !asList(enabled).includes(t));
      return missing.length === 0 ? undefined : `enabled_cluster_log_types lacks ${missing.join(', ')}`;
    }),

  rule('CKV_AWS_38', PolicyLevel.ERROR, 'EKS public endpoints must be disabled or limited to specific CIDRs (not 0.0.0.0/0).', CLUSTER,
    (cluster) => {
      const vpc = firstBlock(cluster.config, 'vpc_config') ?? {};
      if (isFalse(vpc.endpoint_public_access)) {
        return undefined;
      }
      const cidrs = asList(vpc.public_access_cidrs);
      if (cidrs.length === 0) {
        return 'the public endpoint is enabled and public_access_cidrs is not set, so it is open to 0.0.0.0/0';
      }
      return cidrs.includes('0.0.0.0/0') ? 'vpc_config.public_access_cidrs contains 0.0.0.0/0' : undefined;
    }),

  rule('CKV_AWS_39', PolicyLevel.WARNING, 'EKS clusters should disable the public API endpoint and be reached privately.', CLUSTER,
    (cluster) => isFalse(firstBlock(cluster.config, 'vpc_config')?.endpoint_public_access)
      ? undefined : 'vpc_config.endpoint_public_access is not false (the public endpoint is enabled)'),

  rule('CKV_AWS_58', PolicyLevel.ERROR, 'EKS clusters must envelope-encrypt Kubernetes secrets with a KMS key.', CLUSTER,
    (cluster) => {
      const encrypted = asList(cluster.config.encryption_config).some((e) =>
        asList(e?.resources).includes('secrets') && isSet(firstBlock(e, 'provider')?.key_arn));
      return encrypted ? undefined : 'no encryption_config covers resources ["secrets"] with a provider.key_arn';
    }),

  rule('CKV_AWS_339', PolicyLevel.ERROR, `EKS clusters must run Kubernetes ${MIN_VERSION.join('.')} or newer.`, CLUSTER,
    (cluster) => {
      const version = cluster.config.version;
      if (!isSet(version)) {
        return 'version is not set; pin a supported Kubernetes version';
      }
      const parsed = parseVersion(version);
      if (!parsed) {
        return undefined; // a reference or unusual string: cannot be judged at synth
      }
      const older = parsed[0] < MIN_VERSION[0] || (parsed[0] === MIN_VERSION[0] && parsed[1] < MIN_VERSION[1]);
      return older ? `version is ${version}, older than ${MIN_VERSION.join('.')}` : undefined;
    }),

  rule('MLOPS_EKS_STANDARD_SUPPORT', PolicyLevel.WARNING,
    'EKS clusters should use upgrade_policy.support_type "STANDARD"; extended support costs several times more per hour.', CLUSTER,
    (cluster) => {
      const support = firstBlock(cluster.config, 'upgrade_policy')?.support_type;
      return support === 'STANDARD' ? undefined
        : `upgrade_policy.support_type is ${support === undefined ? 'not set (defaults to EXTENDED)' : JSON.stringify(support)}, not "STANDARD"`;
    }),

  rule('CKV_AWS_100', PolicyLevel.ERROR, 'EKS node groups must not enable SSH remote access; use SSM Session Manager.', NODE_GROUP,
    (group) => asList(group.config.remote_access).length === 0 ? undefined : 'the node group has a remote_access block'),

  rule('MLOPS_EKS_NODEGROUP_LAUNCH_TEMPLATE', PolicyLevel.ERROR,
    'EKS node groups must use a launch template, which is where IMDSv2 and EBS encryption are enforced.', NODE_GROUP,
    (group) => firstBlock(group.config, 'launch_template') ? undefined : 'the node group has no launch_template block'),
];
