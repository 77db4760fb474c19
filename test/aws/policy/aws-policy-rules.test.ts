import { AwsCloud } from '../../../lib/aws/aws-cloud';
import { Vpc } from '../../../lib/aws/vpc';
import { IPolicyContext, PolicyLevel, PolicyResource } from '../../../lib/core/policy/policy-rule';
import { AwsPolicyRules } from '../../../lib/aws/policy/aws-policy-rules';
import { asList, parsePolicy, referencesResource, statementsOf } from '../../../lib/aws/policy/rule';
import { newStack, synthStack } from '../../helpers';

/** A context over a fixed list of resources, matching references the way the real stack index does. */
class FakeContext implements IPolicyContext {
  constructor(private readonly resources: PolicyResource[]) {}
  resourcesOfType(type: string): PolicyResource[] {
    return this.resources.filter((r) => r.type === type);
  }
  resourcesReferencing(type: string, target: PolicyResource): PolicyResource[] {
    const marker = '${' + target.address + '.';
    return this.resourcesOfType(type).filter((r) => JSON.stringify(r.config).includes(marker));
  }
}

function res(type: string, name: string, config: { [key: string]: any }): PolicyResource {
  return { type, address: `${type}.${name}`, constructPath: `Stack/${name}`, config };
}

const RULES = new Map(AwsPolicyRules.all().map((r) => [r.id, r]));
const passed = new Set<string>();
const failed = new Set<string>();

function check(id: string, resource: PolicyResource, others: PolicyResource[] = []): string | undefined {
  const r = RULES.get(id);
  if (!r) {
    throw new Error(`no rule ${id}`);
  }
  expect(r.resourceTypes).toContain(resource.type);
  return r.check(resource, new FakeContext([resource, ...others]));
}

function pass(id: string, resource: PolicyResource, others: PolicyResource[] = []): void {
  expect(check(id, resource, others)).toBeUndefined();
  passed.add(id);
}

function fail(id: string, resource: PolicyResource, pattern: RegExp, others: PolicyResource[] = []): void {
  expect(check(id, resource, others)).toMatch(pattern);
  failed.add(id);
}

const ref = (r: PolicyResource, attr = 'id') => '${' + r.address + '.' + attr + '}';

describe('helpers', () => {
  test('asList', () => {
    expect(asList(undefined)).toEqual([]);
    expect(asList({ a: 1 })).toEqual([{ a: 1 }]);
    expect(asList([1, 2])).toEqual([1, 2]);
  });
  test('policy parsing', () => {
    expect(parsePolicy('${data.aws_iam_policy_document.x.json}')).toBeUndefined();
    expect(statementsOf('{"Statement":{"Effect":"Allow"}}')).toEqual([{ Effect: 'Allow' }]);
    expect(statementsOf('not json')).toEqual([]);
  });
  test('referencesResource', () => {
    const key = res('aws_kms_key', 'Key_1', {});
    expect(referencesResource('${aws_kms_key.Key_1.arn}', key)).toBe(true);
    expect(referencesResource('${aws_kms_key.Key_12.arn}', key)).toBe(false);
    expect(referencesResource({ nested: ['${aws_kms_key.Key_1.id}'] }, key)).toBe(true);
  });
  test('rule ids are unique and every rule is described', () => {
    const all = AwsPolicyRules.all();
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (const r of all) {
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.resourceTypes.length).toBeGreaterThan(0);
    }
    expect(AwsPolicyRules.all()).not.toBe(AwsPolicyRules.all());
  });
});

describe('S3', () => {
  const bucket = res('aws_s3_bucket', 'Data_Bucket_AB12', { bucket: 'data-bucket' });
  const b = ref(bucket);
  const sse = (algo: string, key?: string) => res('aws_s3_bucket_server_side_encryption_configuration', 'Sse', {
    bucket: b, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: algo, kms_master_key_id: key } }],
  });
  const pab = (flags: { [k: string]: boolean }) => res('aws_s3_bucket_public_access_block', 'Pab', { bucket: ref(bucket, 'bucket'), ...flags });
  const allFlags = { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true };

  test('CKV_AWS_145 encryption', () => {
    pass('CKV_AWS_145', bucket, [sse('aws:kms', '${aws_kms_key.K.arn}')]);
    pass('CKV_AWS_145', bucket, [sse('aws:kms:dsse', 'arn:aws:kms:us-east-1:1:key/x')]);
    fail('CKV_AWS_145', bucket, /no aws_s3_bucket_server_side_encryption_configuration/);
    fail('CKV_AWS_145', bucket, /aws:kms/, [sse('AES256')]);
    fail('CKV_AWS_145', bucket, /kms_master_key_id/, [sse('aws:kms')]);
    // A configuration for another bucket does not count.
    const other = res('aws_s3_bucket', 'Other', {});
    fail('CKV_AWS_145', other, /no aws_s3_bucket_server_side_encryption_configuration/, [sse('aws:kms', 'k')]);
  });

  test('CKV_AWS_21 versioning', () => {
    const v = (status: string) => res('aws_s3_bucket_versioning', 'V', { bucket: b, versioning_configuration: { status } });
    pass('CKV_AWS_21', bucket, [v('Enabled')]);
    fail('CKV_AWS_21', bucket, /"Suspended", not "Enabled"/, [v('Suspended')]);
    fail('CKV_AWS_21', bucket, /no aws_s3_bucket_versioning/);
    // A bucket given by literal name also matches.
    pass('CKV_AWS_21', bucket, [res('aws_s3_bucket_versioning', 'V', { bucket: 'data-bucket', versioning_configuration: [{ status: 'Enabled' }] })]);
  });

  test('public access block', () => {
    pass('CKV2_AWS_6', bucket, [pab(allFlags)]);
    fail('CKV2_AWS_6', bucket, /no aws_s3_bucket_public_access_block/);
    for (const [id, flag] of [['CKV_AWS_53', 'block_public_acls'], ['CKV_AWS_54', 'block_public_policy'],
      ['CKV_AWS_55', 'ignore_public_acls'], ['CKV_AWS_56', 'restrict_public_buckets']]) {
      pass(id, bucket, [pab(allFlags)]);
      fail(id, bucket, new RegExp(`${flag} is not true`), [pab({ ...allFlags, [flag]: false })]);
      fail(id, bucket, /no aws_s3_bucket_public_access_block/);
    }
  });

  test('CKV2_AWS_65 ownership', () => {
    const oc = (o: string) => res('aws_s3_bucket_ownership_controls', 'O', { bucket: b, rule: { object_ownership: o } });
    pass('CKV2_AWS_65', bucket, [oc('BucketOwnerEnforced')]);
    fail('CKV2_AWS_65', bucket, /"ObjectWriter", not "BucketOwnerEnforced"/, [oc('ObjectWriter')]);
    fail('CKV2_AWS_65', bucket, /ACLs stay enabled/);
  });

  test('CKV_AWS_300 abort multipart uploads', () => {
    const lc = (rule: any) => res('aws_s3_bucket_lifecycle_configuration', 'L', { bucket: b, rule });
    pass('CKV_AWS_300', bucket, [lc([{ id: 'x', status: 'Enabled', abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }])]);
    pass('CKV_AWS_300', bucket, [lc({ id: 'x', status: 'Enabled', abort_incomplete_multipart_upload: { days_after_initiation: 1 } })]);
    fail('CKV_AWS_300', bucket, /abort_incomplete_multipart_upload/, [lc({ id: 'x', status: 'Disabled', abort_incomplete_multipart_upload: { days_after_initiation: 1 } })]);
    fail('CKV_AWS_300', bucket, /abort_incomplete_multipart_upload/, [lc({ id: 'x', status: 'Enabled', expiration: { days: 30 } })]);
    fail('CKV_AWS_300', bucket, /abort_incomplete_multipart_upload/);
  });

  test('CKV_AWS_18 logging', () => {
    pass('CKV_AWS_18', bucket, [res('aws_s3_bucket_logging', 'Log', { bucket: b, target_bucket: 'logs' })]);
    fail('CKV_AWS_18', bucket, /no aws_s3_bucket_logging/);
  });

  test('MLOPS_S3_TLS', () => {
    const policy = (doc: any) => res('aws_s3_bucket_policy', 'P', { bucket: b, policy: typeof doc === 'string' ? doc : JSON.stringify(doc) });
    const deny = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'DenyInsecure', Effect: 'Deny', Principal: '*', Action: 's3:*',
        Resource: ['${aws_s3_bucket.Data_Bucket_AB12.arn}', '${aws_s3_bucket.Data_Bucket_AB12.arn}/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    };
    pass('MLOPS_S3_TLS', bucket, [policy(deny)]);
    pass('MLOPS_S3_TLS', bucket, [policy('${data.aws_iam_policy_document.p.json}')]);
    fail('MLOPS_S3_TLS', bucket, /no Deny statement/, [policy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] })]);
    fail('MLOPS_S3_TLS', bucket, /no aws_s3_bucket_policy/);
  });

  test('MLOPS_S3_FORCE_DESTROY', () => {
    pass('MLOPS_S3_FORCE_DESTROY', bucket);
    fail('MLOPS_S3_FORCE_DESTROY', res('aws_s3_bucket', 'B', { force_destroy: true }), /force_destroy is true/);
  });
});

describe('RDS', () => {
  const pg = res('aws_db_parameter_group', 'Pg', { name: 'pg', family: 'postgres17', parameter: [{ name: 'rds.force_ssl', value: '1' }] });
  const good = {
    storage_encrypted: true, publicly_accessible: false, multi_az: true, deletion_protection: true, backup_retention_period: 14,
    monitoring_interval: 60, enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'], iam_database_authentication_enabled: true,
    performance_insights_enabled: true, performance_insights_kms_key_id: '${aws_kms_key.K.arn}', copy_tags_to_snapshot: true,
    auto_minor_version_upgrade: true, skip_final_snapshot: false, kms_key_id: '${aws_kms_key.K.arn}',
    parameter_group_name: ref(pg, 'name'), manage_master_user_password: true,
  };
  const db = (overrides: { [k: string]: any } = {}) => res('aws_db_instance', 'Db', { ...good, ...overrides });
  const allIds = [...RULES.values()].filter((r) => r.resourceTypes.includes('aws_db_instance')).map((r) => r.id);

  test('a compliant instance passes every rule', () => {
    for (const id of allIds) {
      pass(id, db(), [pg]);
    }
  });

  test.each([
    ['CKV_AWS_16', { storage_encrypted: false }, /storage_encrypted is not true \(it is false\)/],
    ['CKV_AWS_17', { publicly_accessible: true }, /publicly_accessible is true/],
    ['CKV_AWS_157', { multi_az: undefined }, /multi_az is not true \(it is not set\)/],
    ['CKV_AWS_293', { deletion_protection: false }, /deletion_protection is not true/],
    ['CKV_AWS_133', { backup_retention_period: 3 }, /backup_retention_period is 3; it must be at least 7/],
    ['CKV_AWS_133', { backup_retention_period: undefined }, /backup_retention_period is not set/],
    ['CKV_AWS_118', { monitoring_interval: 0 }, /monitoring_interval is 0/],
    ['CKV_AWS_129', { enabled_cloudwatch_logs_exports: [] }, /enabled_cloudwatch_logs_exports is empty/],
    ['CKV_AWS_161', { iam_database_authentication_enabled: false }, /iam_database_authentication_enabled is not true/],
    ['CKV_AWS_353', { performance_insights_enabled: undefined }, /performance_insights_enabled is not true/],
    ['CKV_AWS_354', { performance_insights_kms_key_id: undefined }, /performance_insights_kms_key_id is not set/],
    ['CKV2_AWS_60', { copy_tags_to_snapshot: false }, /copy_tags_to_snapshot is not true/],
    ['CKV_AWS_226', { auto_minor_version_upgrade: false }, /auto_minor_version_upgrade is false/],
    ['MLOPS_RDS_FINAL_SNAPSHOT', { skip_final_snapshot: true }, /skip_final_snapshot is true/],
    ['MLOPS_RDS_CMK', { kms_key_id: undefined }, /kms_key_id is not set/],
    ['MLOPS_RDS_FORCE_SSL', { parameter_group_name: 'default.postgres17' }, /is not an aws_db_parameter_group of the stack/],
    ['MLOPS_RDS_MANAGED_PASSWORD', { password: 'hunter22' }, /password is set/],
    ['MLOPS_RDS_MANAGED_PASSWORD', { manage_master_user_password: undefined }, /manage_master_user_password is not true/],
  ])('%s fails on %j', (id, overrides, pattern) => {
    fail(id, db(overrides), pattern, [pg]);
  });

  test('MLOPS_RDS_FORCE_SSL inspects the parameter group', () => {
    const weak = res('aws_db_parameter_group', 'Pg', { name: 'pg', parameter: [{ name: 'rds.force_ssl', value: '0' }] });
    fail('MLOPS_RDS_FORCE_SSL', db(), /does not set rds.force_ssl/, [weak]);
    const mysql = res('aws_db_parameter_group', 'Pg', { name: 'pg', parameter: { name: 'require_secure_transport', value: 'ON' } });
    pass('MLOPS_RDS_FORCE_SSL', db(), [mysql]);
    pass('MLOPS_RDS_FORCE_SSL', db({ parameter_group_name: 'pg' }), [pg]);
  });
});

describe('EKS', () => {
  const good = {
    name: 'c', version: '1.35', enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
    vpc_config: { endpoint_public_access: false, endpoint_private_access: true, subnet_ids: ['a'] },
    encryption_config: { resources: ['secrets'], provider: { key_arn: '${aws_kms_key.K.arn}' } },
    upgrade_policy: { support_type: 'STANDARD' },
  };
  const cluster = (overrides: { [k: string]: any } = {}) => res('aws_eks_cluster', 'Cluster', { ...good, ...overrides });

  test('CKV_AWS_37', () => {
    pass('CKV_AWS_37', cluster());
    fail('CKV_AWS_37', cluster({ enabled_cluster_log_types: ['api'] }), /lacks audit, authenticator, controllerManager, scheduler/);
  });
  test('CKV_AWS_38 and CKV_AWS_39', () => {
    pass('CKV_AWS_38', cluster());
    pass('CKV_AWS_39', cluster());
    const restricted = cluster({ vpc_config: [{ endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] }] });
    pass('CKV_AWS_38', restricted);
    fail('CKV_AWS_39', restricted, /endpoint_public_access is not false/);
    fail('CKV_AWS_38', cluster({ vpc_config: { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] } }), /contains 0\.0\.0\.0\/0/);
    fail('CKV_AWS_38', cluster({ vpc_config: { subnet_ids: ['a'] } }), /public_access_cidrs is not set/);
  });
  test('CKV_AWS_58', () => {
    pass('CKV_AWS_58', cluster());
    pass('CKV_AWS_58', cluster({ encryption_config: [{ resources: ['secrets'], provider: [{ key_arn: 'arn' }] }] }));
    fail('CKV_AWS_58', cluster({ encryption_config: undefined }), /no encryption_config/);
    fail('CKV_AWS_58', cluster({ encryption_config: { resources: ['secrets'], provider: {} } }), /provider.key_arn/);
  });
  test('CKV_AWS_339', () => {
    pass('CKV_AWS_339', cluster());
    pass('CKV_AWS_339', cluster({ version: '2.1' }));
    pass('CKV_AWS_339', cluster({ version: '${var.k8s_version}' }));
    fail('CKV_AWS_339', cluster({ version: '1.34' }), /version is 1\.34, older than 1\.35/);
    fail('CKV_AWS_339', cluster({ version: '1.4' }), /older than 1\.35/);
    fail('CKV_AWS_339', cluster({ version: undefined }), /version is not set/);
  });
  test('MLOPS_EKS_STANDARD_SUPPORT', () => {
    pass('MLOPS_EKS_STANDARD_SUPPORT', cluster());
    fail('MLOPS_EKS_STANDARD_SUPPORT', cluster({ upgrade_policy: undefined }), /defaults to EXTENDED/);
    fail('MLOPS_EKS_STANDARD_SUPPORT', cluster({ upgrade_policy: { support_type: 'EXTENDED' } }), /"EXTENDED", not "STANDARD"/);
  });
  test('node groups', () => {
    const ng = (extra: any) => res('aws_eks_node_group', 'Ng', { cluster_name: 'c', ...extra });
    pass('CKV_AWS_100', ng({}));
    fail('CKV_AWS_100', ng({ remote_access: { ec2_ssh_key: 'k' } }), /remote_access block/);
    pass('MLOPS_EKS_NODEGROUP_LAUNCH_TEMPLATE', ng({ launch_template: { id: '${aws_launch_template.Lt.id}', version: '1' } }));
    fail('MLOPS_EKS_NODEGROUP_LAUNCH_TEMPLATE', ng({}), /no launch_template/);
  });
});

describe('EC2 launch templates', () => {
  const lt = (config: any) => res('aws_launch_template', 'Lt', config);
  const md = (opts: any) => lt({ metadata_options: opts });

  test('CKV_AWS_79 IMDSv2', () => {
    pass('CKV_AWS_79', md({ http_tokens: 'required' }));
    pass('CKV_AWS_79', lt({ metadata_options: [{ http_tokens: 'required' }] }));
    fail('CKV_AWS_79', md({ http_tokens: 'optional' }), /http_tokens is "optional", not "required"/);
    fail('CKV_AWS_79', lt({}), /http_tokens is not set/);
  });
  test('hop limit', () => {
    pass('CKV_AWS_341', md({ http_put_response_hop_limit: 1 }));
    fail('CKV_AWS_341', md({ http_put_response_hop_limit: 2 }), /is 2, above 1/);
    fail('CKV_AWS_341', md({}), /not set/);
    pass('MLOPS_IMDS_HOP_LIMIT', md({ http_put_response_hop_limit: 2 }));
    pass('MLOPS_IMDS_HOP_LIMIT', md({}));
    fail('MLOPS_IMDS_HOP_LIMIT', md({ http_put_response_hop_limit: 3 }), /is 3, above 2/);
    expect(RULES.get('CKV_AWS_341')!.level).toBe(PolicyLevel.WARNING);
    expect(RULES.get('MLOPS_IMDS_HOP_LIMIT')!.level).toBe(PolicyLevel.ERROR);
  });
  test('MLOPS_EBS_ENCRYPTED', () => {
    const bdm = (ebs: any) => lt({ block_device_mappings: [{ device_name: '/dev/xvda', ebs }, { device_name: '/dev/sdb', virtual_name: 'ephemeral0' }] });
    pass('MLOPS_EBS_ENCRYPTED', bdm({ encrypted: 'true', kms_key_id: '${aws_kms_key.K.arn}' }));
    pass('MLOPS_EBS_ENCRYPTED', lt({ block_device_mappings: { device_name: '/dev/xvda', ebs: { encrypted: true, kms_key_id: 'k' } } }));
    pass('MLOPS_EBS_ENCRYPTED', lt({}));
    fail('MLOPS_EBS_ENCRYPTED', bdm({ volume_size: 100 }), /\/dev\/xvda: ebs.encrypted is not true/);
    fail('MLOPS_EBS_ENCRYPTED', bdm({ encrypted: true }), /ebs.kms_key_id is not set/);
  });
});

describe('security groups', () => {
  const sg = (ingress: any) => res('aws_security_group', 'Sg', { vpc_id: 'v', ingress, egress: [] });
  const rule = (extra: any) => res('aws_security_group_rule', 'R', { security_group_id: 's', ...extra });
  const vpcRule = (extra: any) => res('aws_vpc_security_group_ingress_rule', 'V', { security_group_id: 's', ...extra });
  const tcp = (from: number, to: number, cidrs: string[], v6: string[] = []) =>
    ({ from_port: from, to_port: to, protocol: 'tcp', cidr_blocks: cidrs, ipv6_cidr_blocks: v6 });

  test('MLOPS_SG_OPEN_INGRESS', () => {
    pass('MLOPS_SG_OPEN_INGRESS', sg([tcp(443, 443, ['10.0.0.0/16'])]));
    pass('MLOPS_SG_OPEN_INGRESS', sg(undefined));
    pass('MLOPS_SG_OPEN_INGRESS', rule({ type: 'egress', ...tcp(0, 65535, ['0.0.0.0/0']) }));
    fail('MLOPS_SG_OPEN_INGRESS', sg([tcp(443, 443, ['0.0.0.0/0'])]), /allows 0\.0\.0\.0\/0 on protocol tcp port 443/);
    fail('MLOPS_SG_OPEN_INGRESS', rule({ type: 'ingress', ...tcp(8080, 8090, [], ['::/0']) }), /::\/0 .*ports 8080-8090/);
    fail('MLOPS_SG_OPEN_INGRESS', vpcRule({ cidr_ipv4: '0.0.0.0/0', ip_protocol: '-1' }), /all ports/);
    pass('MLOPS_SG_OPEN_INGRESS', vpcRule({ cidr_ipv4: '10.0.0.0/8', ip_protocol: '-1' }));
  });
  test('CKV_AWS_24 / CKV_AWS_25 / CKV_AWS_260', () => {
    pass('CKV_AWS_24', sg([tcp(443, 443, ['0.0.0.0/0']), tcp(22, 22, ['10.0.0.0/8'])]));
    fail('CKV_AWS_24', sg([tcp(0, 1024, ['0.0.0.0/0'])]), /reaches port 22 \(SSH\)/);
    fail('CKV_AWS_24', vpcRule({ cidr_ipv6: '::/0', ip_protocol: 'tcp', from_port: 22, to_port: 22 }), /::\/0 reaches port 22/);
    pass('CKV_AWS_25', rule({ type: 'ingress', ...tcp(22, 22, ['0.0.0.0/0']) }));
    fail('CKV_AWS_25', rule({ type: 'ingress', from_port: 0, to_port: 0, protocol: '-1', cidr_blocks: ['0.0.0.0/0'] }), /port 3389 \(RDP\)/);
    pass('CKV_AWS_260', vpcRule({ cidr_ipv4: '0.0.0.0/0', ip_protocol: 'icmp', from_port: -1, to_port: -1 }));
    fail('CKV_AWS_260', vpcRule({ cidr_ipv4: '0.0.0.0/0', ip_protocol: 'tcp', from_port: 80, to_port: 80 }), /port 80 \(HTTP\)/);
  });
  test('CKV2_AWS_12 default security group', () => {
    pass('CKV2_AWS_12', res('aws_default_security_group', 'D', { vpc_id: 'v' }));
    pass('CKV2_AWS_12', res('aws_default_security_group', 'D', { vpc_id: 'v', ingress: [], egress: [] }));
    fail('CKV2_AWS_12', res('aws_default_security_group', 'D', { ingress: [{ protocol: '-1', self: true }], egress: [{}] }), /2 rule\(s\) \(ingress, egress\)/);
  });
  test('CKV_AWS_130 subnets', () => {
    pass('CKV_AWS_130', res('aws_subnet', 'S', { map_public_ip_on_launch: false }));
    fail('CKV_AWS_130', res('aws_subnet', 'S', { map_public_ip_on_launch: true }), /map_public_ip_on_launch is true/);
  });
});

describe('KMS', () => {
  const policy = (statement: any) => JSON.stringify({ Version: '2012-10-17', Statement: statement });
  const root = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };

  test('CKV_AWS_7 rotation', () => {
    pass('CKV_AWS_7', res('aws_kms_key', 'K', { enable_key_rotation: true }));
    pass('CKV_AWS_7', res('aws_kms_key', 'K', { customer_master_key_spec: 'RSA_2048' }));
    fail('CKV_AWS_7', res('aws_kms_key', 'K', {}), /enable_key_rotation is not true/);
  });
  test('CKV2_AWS_64 key policy', () => {
    const key = res('aws_kms_key', 'K', {});
    pass('CKV2_AWS_64', res('aws_kms_key', 'K', { policy: policy([root]) }));
    pass('CKV2_AWS_64', key, [res('aws_kms_key_policy', 'P', { key_id: ref(key), policy: policy([root]) })]);
    fail('CKV2_AWS_64', key, /policy is not set/);
  });
  test('CKV_AWS_33 open principal', () => {
    pass('CKV_AWS_33', res('aws_kms_key', 'K', { policy: policy([root]) }));
    pass('CKV_AWS_33', res('aws_kms_key', 'K', { policy: '${data.aws_iam_policy_document.k.json}' }));
    pass('CKV_AWS_33', res('aws_kms_key', 'K', { policy: policy([{ ...root, Principal: '*', Condition: { StringEquals: { 'kms:CallerAccount': '1' } } }]) }));
    fail('CKV_AWS_33', res('aws_kms_key', 'K', { policy: policy([root, { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt' }]) }),
      /"Open" allows Principal "\*"/);
    fail('CKV_AWS_33', res('aws_kms_key_policy', 'P', { policy: policy({ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 'kms:*' }) }), /Principal "\*"/);
  });
});

describe('IAM', () => {
  const doc = (statement: any) => JSON.stringify({ Version: '2012-10-17', Statement: statement });
  const policy = (statement: any) => res('aws_iam_policy', 'P', { policy: doc(statement) });
  const scoped = { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: '${aws_s3_bucket.B.arn}/*' };

  test('CKV_AWS_62 / CKV_AWS_63', () => {
    pass('CKV_AWS_62', policy([scoped]));
    pass('CKV_AWS_63', policy([scoped, { Effect: 'Deny', Action: '*', Resource: '*' }]));
    pass('CKV_AWS_62', policy({ Effect: 'Allow', Action: '*', Resource: '${aws_s3_bucket.B.arn}' }));
    fail('CKV_AWS_62', policy({ Sid: 'Admin', Effect: 'Allow', Action: '*', Resource: '*' }), /"Admin" grants Action "\*" on Resource "\*"/);
    fail('CKV_AWS_63', policy({ Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: 'arn:aws:s3:::b' }), /has Action "\*"/);
    const role = res('aws_iam_role', 'R', { inline_policy: [{ name: 'p', policy: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }] });
    fail('CKV_AWS_63', role, /Action "\*"/);
    fail('CKV_AWS_62', res('aws_iam_role_policy', 'Rp', { role: 'r', policy: doc({ Effect: 'Allow', Action: '*', Resource: ['*'] }) }), /Resource "\*"/);
  });
  test('CKV_AWS_355', () => {
    expect(RULES.get('CKV_AWS_355')!.level).toBe(PolicyLevel.WARNING);
    pass('CKV_AWS_355', policy([scoped, { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'sts:GetCallerIdentity', 'ec2:Describe*', 's3:ListAllMyBuckets'], Resource: '*' }]));
    fail('CKV_AWS_355', policy({ Sid: 'Wide', Effect: 'Allow', Action: ['ec2:DescribeInstances', 's3:PutObject'], Resource: '*' }),
      /"Wide" grants s3:PutObject on Resource "\*"/);
  });
  test('CKV_AWS_274', () => {
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    pass('CKV_AWS_274', res('aws_iam_role_policy_attachment', 'A', { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    pass('CKV_AWS_274', res('aws_iam_role', 'R', { managed_policy_arns: ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'] }));
    fail('CKV_AWS_274', res('aws_iam_role_policy_attachment', 'A', { role: 'r', policy_arn: admin }), /policy_arn is .*AdministratorAccess/);
    fail('CKV_AWS_274', res('aws_iam_user_policy_attachment', 'A', { user: 'u', policy_arn: admin }), /AdministratorAccess/);
    fail('CKV_AWS_274', res('aws_iam_role', 'R', { managed_policy_arns: [admin] }), /managed_policy_arns contains/);
  });
});

describe('logs', () => {
  const lg = (config: any) => res('aws_cloudwatch_log_group', 'Lg', config);
  test('CKV_AWS_158', () => {
    pass('CKV_AWS_158', lg({ kms_key_id: '${aws_kms_key.K.arn}' }));
    fail('CKV_AWS_158', lg({}), /kms_key_id is not set/);
  });
  test('CKV_AWS_338', () => {
    pass('CKV_AWS_338', lg({ retention_in_days: 365 }));
    fail('CKV_AWS_338', lg({ retention_in_days: 30 }), /retention_in_days is 30; it must be at least 365/);
    fail('CKV_AWS_338', lg({ retention_in_days: 0 }), /never expire/);
    fail('CKV_AWS_338', lg({}), /retention_in_days is not set/);
  });
  test('CKV2_AWS_11', () => {
    const vpc = res('aws_vpc', 'Vpc', { cidr_block: '10.0.0.0/16' });
    pass('CKV2_AWS_11', vpc, [res('aws_flow_log', 'F', { vpc_id: ref(vpc), traffic_type: 'ALL' })]);
    fail('CKV2_AWS_11', vpc, /no aws_flow_log/, [res('aws_flow_log', 'F', { subnet_id: 's', tags: { note: ref(vpc) } })]);
  });
});

describe('ECR', () => {
  const good = {
    name: 'models', image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true },
    encryption_configuration: [{ encryption_type: 'KMS', kms_key: 'k' }],
  };
  const repo = (overrides: any = {}) => res('aws_ecr_repository', 'Repo', { ...good, ...overrides });
  test('repository settings', () => {
    pass('CKV_AWS_51', repo());
    pass('CKV_AWS_51', repo({ image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION' }));
    fail('CKV_AWS_51', repo({ image_tag_mutability: undefined }), /defaults to MUTABLE/);
    pass('CKV_AWS_163', repo());
    fail('CKV_AWS_163', repo({ image_scanning_configuration: undefined }), /scan_on_push is not true/);
    pass('CKV_AWS_136', repo());
    fail('CKV_AWS_136', repo({ encryption_configuration: { encryption_type: 'AES256' } }), /encryption_type is "AES256", not "KMS"/);
    pass('MLOPS_ECR_FORCE_DELETE', repo());
    fail('MLOPS_ECR_FORCE_DELETE', repo({ force_delete: true }), /force_delete is true/);
  });
  test('MLOPS_ECR_LIFECYCLE', () => {
    const r = repo();
    pass('MLOPS_ECR_LIFECYCLE', r, [res('aws_ecr_lifecycle_policy', 'L', { repository: ref(r, 'name'), policy: '{}' })]);
    pass('MLOPS_ECR_LIFECYCLE', r, [res('aws_ecr_lifecycle_policy', 'L', { repository: 'models', policy: '{}' })]);
    fail('MLOPS_ECR_LIFECYCLE', r, /no aws_ecr_lifecycle_policy/);
  });
});

describe('SNS, Secrets Manager, Backup', () => {
  test('CKV_AWS_26', () => {
    pass('CKV_AWS_26', res('aws_sns_topic', 'T', { kms_master_key_id: 'alias/x' }));
    fail('CKV_AWS_26', res('aws_sns_topic', 'T', {}), /kms_master_key_id is not set/);
  });
  test('CKV_AWS_149', () => {
    pass('CKV_AWS_149', res('aws_secretsmanager_secret', 'S', { kms_key_id: 'k' }));
    fail('CKV_AWS_149', res('aws_secretsmanager_secret', 'S', {}), /kms_key_id is not set/);
  });
  test('CKV_AWS_166 and vault lock', () => {
    const vault = res('aws_backup_vault', 'Vault', { name: 'vault', kms_key_arn: 'k' });
    pass('CKV_AWS_166', vault);
    fail('CKV_AWS_166', res('aws_backup_vault', 'Vault', { name: 'vault' }), /kms_key_arn is not set/);
    pass('MLOPS_BACKUP_VAULT_LOCK', vault, [res('aws_backup_vault_lock_configuration', 'L', { backup_vault_name: ref(vault, 'name') })]);
    fail('MLOPS_BACKUP_VAULT_LOCK', vault, /no aws_backup_vault_lock_configuration/);
  });
  test('MLOPS_BACKUP_RETENTION', () => {
    const plan = (rule: any) => res('aws_backup_plan', 'Plan', { name: 'p', rule });
    pass('MLOPS_BACKUP_RETENTION', plan({ rule_name: 'daily', lifecycle: { delete_after: 35 },
      copy_action: [{ destination_vault_arn: 'a', lifecycle: { delete_after: 35 } }] }));
    fail('MLOPS_BACKUP_RETENTION', plan([{ rule_name: 'daily', target_vault_name: 'v' }]), /rule "daily" has no lifecycle.delete_after/);
    fail('MLOPS_BACKUP_RETENTION', plan([{ rule_name: 'daily', lifecycle: [{ delete_after: 35 }], copy_action: { destination_vault_arn: 'a' } }]),
      /copy_action of rule "daily"/);
  });
});

describe('rules found missing by checkov (npm run verify)', () => {
  const bucket = res('aws_s3_bucket', 'Data_Bucket_AB12', { bucket: 'data-bucket' });
  const replica = res('aws_s3_bucket', 'Replica_CD34', { bucket: 'data-bucket-replica' });
  const replication = (status: string) => res('aws_s3_bucket_replication_configuration', 'Replication', {
    bucket: ref(bucket), role: 'r', rule: [{ id: 'all', status, destination: { bucket: ref(replica, 'arn') } }],
  });

  test('CKV2_AWS_62 event notifications', () => {
    pass('CKV2_AWS_62', bucket, [res('aws_s3_bucket_notification', 'N', { bucket: ref(bucket), eventbridge: true })]);
    pass('CKV2_AWS_62', bucket, [res('aws_s3_bucket_notification', 'N', { bucket: 'data-bucket', eventbridge: true })]);
    fail('CKV2_AWS_62', bucket, /no aws_s3_bucket_notification/);
    fail('CKV2_AWS_62', bucket, /no aws_s3_bucket_notification/, [res('aws_s3_bucket_notification', 'N', { bucket: ref(replica) })]);
  });

  test('CKV_AWS_144 cross-region replication, as source or destination', () => {
    pass('CKV_AWS_144', bucket, [replication('Enabled')]);
    pass('CKV_AWS_144', replica, [replication('Enabled')]);
    fail('CKV_AWS_144', bucket, /no aws_s3_bucket_replication_configuration with an enabled rule/);
    fail('CKV_AWS_144', bucket, /no aws_s3_bucket_replication_configuration with an enabled rule/, [replication('Disabled')]);
  });

  test('CKV2_AWS_57 secret rotation', () => {
    const secret = res('aws_secretsmanager_secret', 'Secret_EF56', { kms_key_id: 'k' });
    pass('CKV2_AWS_57', secret, [res('aws_secretsmanager_secret_rotation', 'R', { secret_id: ref(secret), rotation_lambda_arn: 'l' })]);
    fail('CKV2_AWS_57', secret, /no aws_secretsmanager_secret_rotation references the secret/);
    const other = res('aws_secretsmanager_secret', 'Other', {});
    fail('CKV2_AWS_57', secret, /no aws_secretsmanager_secret_rotation/, [res('aws_secretsmanager_secret_rotation', 'R', { secret_id: ref(other) })]);
  });

  test('CKV_AWS_394 availability zones pinned by identity (a data source rule)', () => {
    const zones = (filter: any) => res('data.aws_availability_zones', 'Zones_1A2B', { state: 'available', filter });
    pass('CKV_AWS_394', zones([{ name: 'zone-id', values: ['use1-az1', 'use1-az2'] }]));
    pass('CKV_AWS_394', zones({ name: 'zone-name', values: ['us-east-1a'] }));
    fail('CKV_AWS_394', zones([{ name: 'opt-in-status', values: ['opt-in-not-required'] }]), /no filter on zone-name or zone-id/);
    fail('CKV_AWS_394', zones(undefined), /no filter on zone-name or zone-id/);
    expect(zones(undefined).address).toBe('data.aws_availability_zones.Zones_1A2B');
  });

  test('the policy pack checks data sources too: the VPC\'s zone lookup is found and its suppression reported', () => {
    const stack = newStack();
    new Vpc(stack, 'Network', { cloud: new AwsCloud(stack, 'Aws') });
    const finding = synthStack(stack).report.policy.findings.find((f: any) => f.ruleId === 'CKV_AWS_394');
    expect(finding).toEqual(expect.objectContaining({
      constructPath: 'test/Network/Zones', address: expect.stringMatching(/^data\.aws_availability_zones\.Network_Zones_[0-9A-F]{8}$/),
      suppressedBecause: expect.stringContaining('later letters'),
    }));
  });
});

describe('CloudTrail, SQS and GuardDuty', () => {
  test('CloudTrail: KMS, log file validation, every region, SNS, CloudWatch Logs, logging on', () => {
    const good = res('aws_cloudtrail', 'Trail', {
      kms_key_id: 'k', enable_log_file_validation: true, is_multi_region_trail: true, enable_logging: true, sns_topic_name: 't', cloud_watch_logs_group_arn: 'g',
    });
    const bare = res('aws_cloudtrail', 'Bare', { enable_logging: false, is_multi_region_trail: false });
    const cases: Array<[string, RegExp]> = [
      ['CKV_AWS_35', /kms_key_id is not set/], ['CKV_AWS_36', /enable_log_file_validation is not true/], ['CKV_AWS_67', /is_multi_region_trail is not true/],
      ['CKV_AWS_252', /sns_topic_name is not set/], ['CKV2_AWS_10', /cloud_watch_logs_group_arn is not set/], ['MLOPS_CLOUDTRAIL_LOGGING', /enable_logging is false/],
    ];
    for (const [id, message] of cases) {
      pass(id, good);
      fail(id, bare, message);
    }
  });

  test('SQS: encrypted, with a customer-managed key, TLS only', () => {
    const cmk = res('aws_sqs_queue', 'Queue', { kms_master_key_id: 'k' });
    const managed = res('aws_sqs_queue', 'Managed', { sqs_managed_sse_enabled: true });
    pass('CKV_AWS_27', cmk);
    pass('CKV_AWS_27', managed);
    fail('CKV_AWS_27', res('aws_sqs_queue', 'Plain', {}), /neither kms_master_key_id nor sqs_managed_sse_enabled/);
    pass('MLOPS_SQS_CMK', cmk);
    fail('MLOPS_SQS_CMK', managed, /not encrypted with a customer-managed key/);
    fail('MLOPS_SQS_CMK', res('aws_sqs_queue', 'AwsKey', { kms_master_key_id: 'alias/aws/sqs' }), /customer-managed/);
    const policy = (statement: any) => res('aws_sqs_queue_policy', 'Policy', { queue_url: ref(cmk, 'url'), policy: JSON.stringify({ Statement: [statement] }) });
    pass('MLOPS_SQS_TLS', cmk, [policy({ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
    fail('MLOPS_SQS_TLS', cmk, /no aws_sqs_queue_policy/, [policy({ Effect: 'Allow', Action: 'sqs:SendMessage' })]);
    fail('MLOPS_SQS_TLS', cmk, /no aws_sqs_queue_policy/);
  });

  test('GuardDuty: enabled, and for the organization', () => {
    const detector = res('aws_guardduty_detector', 'Detector', { enable: true });
    pass('MLOPS_GUARDDUTY_ENABLED', detector);
    fail('MLOPS_GUARDDUTY_ENABLED', res('aws_guardduty_detector', 'Off', { enable: false }), /enable is false/);
    pass('CKV2_AWS_3', detector, [res('aws_guardduty_organization_configuration', 'Org', { detector_id: ref(detector), auto_enable_organization_members: 'ALL' })]);
    fail('CKV2_AWS_3', detector, /no aws_guardduty_organization_configuration references the detector/);
  });
});

describe('ElastiCache', () => {
  const good = {
    at_rest_encryption_enabled: 'true', transit_encryption_enabled: true, transit_encryption_mode: 'required', user_group_ids: ['${aws_elasticache_user_group.G.id}'],
    kms_key_id: '${aws_kms_key.K.arn}', automatic_failover_enabled: true, multi_az_enabled: true, snapshot_retention_limit: 7, auto_minor_version_upgrade: 'true',
  };
  const group = (overrides: { [k: string]: any } = {}) => res('aws_elasticache_replication_group', 'Cache', { ...good, ...overrides });
  const ids = [...RULES.values()].filter((r) => r.resourceTypes.includes('aws_elasticache_replication_group')).map((r) => r.id);

  test('a compliant group passes every rule', () => {
    expect(ids.length).toBe(10);
    for (const id of ids) {
      pass(id, group());
    }
    pass('CKV_AWS_31', group({ user_group_ids: undefined, auth_token: 'x'.repeat(32) }));
    pass('MLOPS_ELASTICACHE_SNAPSHOTS', group({ snapshot_retention_limit: '${var.days}' }));
  });

  test.each([
    ['CKV_AWS_29', { at_rest_encryption_enabled: 'false' }, /at_rest_encryption_enabled is not true \(it is "false"\)/],
    ['CKV_AWS_30', { transit_encryption_enabled: undefined }, /transit_encryption_enabled is not true \(it is not set\)/],
    ['CKV_AWS_31', { user_group_ids: undefined }, /neither auth_token nor user_group_ids is set/],
    ['CKV_AWS_31', { transit_encryption_enabled: false }, /transit_encryption_enabled is not true/],
    ['CKV_AWS_191', { kms_key_id: undefined }, /kms_key_id is not set/],
    ['CKV2_AWS_50', { automatic_failover_enabled: false }, /automatic_failover_enabled is not true/],
    ['MLOPS_ELASTICACHE_MULTI_AZ', { multi_az_enabled: undefined }, /multi_az_enabled is not true/],
    ['MLOPS_ELASTICACHE_TLS_REQUIRED', { transit_encryption_mode: 'preferred' }, /transit_encryption_mode is "preferred"/],
    ['MLOPS_ELASTICACHE_SNAPSHOTS', { snapshot_retention_limit: 0 }, /snapshot_retention_limit is 0; it must be at least 1/],
    ['MLOPS_ELASTICACHE_SNAPSHOTS', { snapshot_retention_limit: undefined }, /snapshot_retention_limit is not set/],
    ['MLOPS_ELASTICACHE_MINOR_UPGRADES', { auto_minor_version_upgrade: 'false' }, /auto_minor_version_upgrade is false/],
    ['MLOPS_ELASTICACHE_TOKEN_IN_STATE', { auth_token: '${random_password.p.result}' }, /auth_token is set, so the token is kept in Terraform state/],
  ])('%s fails on %j', (id, overrides, pattern) => {
    fail(id, group(overrides), pattern);
  });
});

test('every rule is exercised for both pass and fail', () => {
  const ids = [...RULES.keys()];
  expect(ids.filter((id) => !passed.has(id))).toEqual([]);
  expect(ids.filter((id) => !failed.has(id))).toEqual([]);
});
