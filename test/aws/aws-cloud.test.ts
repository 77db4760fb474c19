import { AwsCloud, AwsRegionRole, KeyPurpose } from '../../lib/aws/aws-cloud';
import { AwsPolicyRules } from '../../lib/aws/policy/aws-policy-rules';
import { CostAllocation } from '../../lib/core/cost-allocation';
import { dataSourcesOfType, newStack, providersOfType, resourceAt, resourcesOfType, synthStack } from '../helpers';

const COST_TAGS = { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' };

describe('AwsCloud', () => {
  let json: any;
  let report: any;
  let cloud: AwsCloud;
  beforeAll(() => {
    const stack = newStack();
    cloud = new AwsCloud(stack, 'Aws', { allowedAccountIds: ['123456789012'] });
    for (const purpose of [KeyPurpose.DATA, KeyPurpose.LOGS, KeyPurpose.NOTIFICATIONS, KeyPurpose.BACKUP]) {
      expect(cloud.key(purpose)).toBe(cloud.key(purpose));
    }
    expect(cloud.key(KeyPurpose.DATA, AwsRegionRole.DR)).not.toBe(cloud.key(KeyPurpose.DATA));
    ({ json, report } = synthStack(stack));
  });

  test('two AWS providers, primary and DR (alias "dr"), both tagging every resource with the cost tags', () => {
    const providers = providersOfType(json, 'aws');
    expect(providers).toHaveLength(2);
    const [primary, dr] = [providers.find((p) => p.alias === undefined), providers.find((p) => p.alias === 'dr')];
    expect(primary).toMatchObject({ region: 'us-east-1', allowed_account_ids: ['123456789012'] });
    expect(dr).toMatchObject({ alias: 'dr', region: 'us-west-2', allowed_account_ids: ['123456789012'] });
    for (const p of [primary, dr]) {
      expect(p.default_tags).toEqual([{ tags: { ...COST_TAGS, 'managed-by': 'cdktf-mlops' } }]);
    }
  });

  test('regions and providers by role', () => {
    expect(cloud.primaryRegion).toBe('us-east-1');
    expect(cloud.drRegion).toBe('us-west-2');
    expect(cloud.regionName(AwsRegionRole.DR)).toBe('us-west-2');
    expect(cloud.providerFor(AwsRegionRole.DR)).toBe(cloud.drProvider);
    expect(cloud.providerFor(AwsRegionRole.PRIMARY)).toBe(cloud.provider);
    expect(cloud.cloudName).toBe('aws');
    expect(cloud.namePrefix).toBe('fraud-prod');
  });

  test('account and partition come from data sources, not literals', () => {
    expect(dataSourcesOfType(json, 'aws_caller_identity')).toHaveLength(1);
    expect(dataSourcesOfType(json, 'aws_partition')).toHaveLength(1);
  });

  test('keys rotate, have an alias, live in their region, and a wildcard principal only ever comes with an aws:PrincipalArn condition', () => {
    const keys = resourcesOfType(json, 'aws_kms_key');
    expect(keys).toHaveLength(5);
    for (const key of keys) {
      expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
      const policy = JSON.parse(key.policy);
      expect(policy.Statement[0]).toMatchObject({ Sid: 'AccountAdministersKeyThroughIam', Action: 'kms:*' });
      expect(policy.Statement[0].Principal.AWS).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{data\.aws_caller_identity\.[^}]+\}:root$/);
      for (const s of policy.Statement) {
        expect(s.Principal).not.toBe('*');
        if (JSON.stringify(s.Principal).includes('"*"')) {
          expect(s.Principal).toEqual({ AWS: '*' });
          expect(s.Condition.ArnEquals['aws:PrincipalArn']).toMatch(/:role\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling$/);
          expect(s.Condition.StringEquals['kms:CallerAccount']).toMatch(/^\$\{data\.aws_caller_identity\.[^}]+\.account_id\}$/);
        }
      }
    }
    expect(resourceAt(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource').provider).toBe('aws.dr');
    expect(resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource').provider).toBe('aws');
    expect(resourcesOfType(json, 'aws_kms_alias').map((a) => a.name).sort())
      .toEqual(['alias/fraud-prod/backup', 'alias/fraud-prod/data', 'alias/fraud-prod/data', 'alias/fraud-prod/logs', 'alias/fraud-prod/notifications']);
  });

  test('service grants are scoped: logs to this account, notifications to budgets and cost alerts', () => {
    const logs = JSON.parse(resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryLogsKey/Resource').policy);
    const logsGrant = logs.Statement.find((s: any) => s.Principal.Service === 'logs.us-east-1.amazonaws.com');
    expect(logsGrant.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toMatch(/:logs:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\}:\*$/);
    const notifications = JSON.parse(resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryNotificationsKey/Resource').policy);
    expect(notifications.Statement.filter((s: any) => s.Principal.Service).map((s: any) => s.Principal.Service)).toEqual(['budgets.amazonaws.com', 'costalerts.amazonaws.com']);
    const data = JSON.parse(resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource').policy);
    expect(data.Statement.map((s: any) => s.Sid)).toEqual(['AccountAdministersKeyThroughIam', 'AutoScalingUsesKeyForEbs', 'AutoScalingCreatesGrantsForEbs']);
  });

  test('the Auto Scaling service-linked role is named in a condition, never as a principal (KMS rejects a principal that does not exist yet)', () => {
    const data = JSON.parse(resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource').policy);
    const account = data.Statement[0].Principal.AWS.match(/iam::(\$\{[^}]+\}):root$/)[1];
    const partition = data.Statement[0].Principal.AWS.match(/^arn:(\$\{[^}]+\}):/)[1];
    const role = `arn:${partition}:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    const onlyTheRole = { StringEquals: { 'kms:CallerAccount': account }, ArnEquals: { 'aws:PrincipalArn': role } };
    expect(data.Statement[1]).toEqual({
      Sid: 'AutoScalingUsesKeyForEbs', Effect: 'Allow', Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*', Condition: onlyTheRole,
    });
    expect(data.Statement[2]).toEqual({
      Sid: 'AutoScalingCreatesGrantsForEbs', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*',
      Condition: { ...onlyTheRole, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    for (const key of resourcesOfType(json, 'aws_kms_key')) {
      for (const s of JSON.parse(key.policy).Statement) {
        expect(JSON.stringify(s.Principal)).not.toContain('AWSServiceRoleForAutoScaling');
      }
    }
  });

  test('the DR-region data key has no Auto Scaling statement (node groups only run in the primary region)', () => {
    const dr = JSON.parse(resourceAt(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource').policy);
    expect(dr.Statement.map((s: any) => s.Sid)).toEqual(['AccountAdministersKeyThroughIam']);
    expect(JSON.stringify(dr)).not.toContain('AutoScaling');
  });

  test('creating the cloud adds the AWS rule pack', () => {
    expect(report.policy.rules).toBe(AwsPolicyRules.all().length);
    expect(report.policy.errors).toBe(0);
  });

  test('the name prefix is lower-cased project-environment with invalid characters replaced', () => {
    const stack = newStack({ costAllocation: new CostAllocation({ costCenter: 'cc-1', team: 't', project: 'Fraud.Models', environment: 'Prod_EU' }) });
    expect(new AwsCloud(stack, 'Aws').namePrefix).toBe('fraud-models-prod-eu');
  });
});
