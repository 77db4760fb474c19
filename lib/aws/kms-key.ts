import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as KmsKeyResource } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { PlatformStack } from '../core/platform-stack';

/** An AWS service allowed to use a key, and the condition that scopes it. */
export interface KmsServiceGrant {
  /** Service principal, e.g. `logs.us-east-1.amazonaws.com`. */
  readonly servicePrincipal: string;
  /** KMS actions the service may call. */
  readonly actions: string[];
  /**
   * IAM condition block scoping the use, e.g. to this account's log groups.
   *
   * @default - none
   */
  readonly conditions?: { [operator: string]: { [key: string]: any } };
  /**
   * Statement ID, for a service with more than one statement.
   *
   * @default - `Allow<first label of the principal>`
   */
  readonly sid?: string;
}

/** Properties of a {@link KmsKey}. */
export interface KmsKeyProps {
  /** What the key encrypts, used in its description and alias. */
  readonly purpose: string;
  /** Provider (region) the key lives in. */
  readonly provider: AwsProvider;
  /** Account ID (a token from aws_caller_identity is fine). */
  readonly accountId: string;
  /** Partition, e.g. `aws` (a token is fine). */
  readonly partition: string;
  /** Alias name without the `alias/` prefix. */
  readonly aliasName: string;
  /**
   * Services that may use the key directly.
   *
   * @default - none; principals of the account use it through their IAM policies
   */
  readonly serviceGrants?: KmsServiceGrant[];
  /**
   * Let EC2 Auto Scaling's service-linked role use the key: needed for encrypted EBS volumes of EKS node groups,
   * which otherwise fail to launch.
   *
   * @default false
   */
  readonly allowAutoScaling?: boolean;
}

/**
 * A customer-managed KMS key with rotation and an explicit key policy: the account administers it through
 * IAM, named services use it under conditions, and the only wildcard principal is pinned by conditions to the
 * Auto Scaling service-linked role of this account.
 *
 * @example
 * const key = new KmsKey(this, 'LogsKey', { purpose: 'logs', provider, accountId, partition, aliasName: 'mlops/logs' });
 */
export class KmsKey extends Construct {
  /** The key resource. */
  public readonly resource: KmsKeyResource;
  /** Key ARN. */
  public readonly keyArn: string;
  private readonly addedGrants: KmsServiceGrant[] = [];

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const root = `arn:${props.partition}:iam::${props.accountId}:root`;
    const statements: any[] = [{
      Sid: 'AccountAdministersKeyThroughIam',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: 'kms:*',
      Resource: '*',
    }];
    for (const grant of props.serviceGrants ?? []) {
      statements.push(serviceGrantStatement(grant));
    }
    if (props.allowAutoScaling) {
      // KMS rejects a policy whose principal does not exist, and in a fresh account the Auto Scaling
      // service-linked role only appears when EKS creates the first node group's Auto Scaling group, after this
      // key. So the statement names the role in a condition, which KMS does not resolve, instead of as the
      // principal. Creating the role here instead would fail in every account that already has it.
      const asg = `arn:${props.partition}:iam::${props.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
      const onlyTheAutoScalingRole = {
        'StringEquals': { 'kms:CallerAccount': props.accountId },
        'ArnEquals': { 'aws:PrincipalArn': asg },
      };
      statements.push({
        Sid: 'AutoScalingUsesKeyForEbs',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: onlyTheAutoScalingRole,
      }, {
        Sid: 'AutoScalingCreatesGrantsForEbs',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { ...onlyTheAutoScalingRole, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      });
    }
    this.resource = new KmsKeyResource(this, 'Resource', {
      provider: props.provider,
      description: `cdktf-mlops: ${props.purpose}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      // Lazy so services added later (addServiceGrant) join the one policy; without them it renders as before.
      policy: Lazy.stringValue({ produce: () => JSON.stringify({ Version: '2012-10-17', Statement: [...statements, ...this.addedGrants.map(serviceGrantStatement)] }) }),
    });
    new KmsAlias(this, 'Alias', { provider: props.provider, name: `alias/${props.aliasName}`, targetKeyId: this.resource.keyId });
    this.keyArn = this.resource.arn;
    const stack = PlatformStack.ofConstruct(this);
    const region = props.provider.region;
    stack.addCostLine({
      component: this.node.path, resource: `KMS key (${props.purpose})`,
      region: region !== undefined && !Token.isUnresolved(region) ? region : stack.primaryRegion,
      unit: CostUnit.MONTH, baselineQuantity: 1, fullScaleQuantity: 1, priceKey: 'kms:key',
      assumption: `one customer-managed key; requests (first 20,000 a month free) are not counted; ${HOURS_PER_MONTH} hours a month`,
    });
  }

  /**
   * Lets one more AWS service use the key (e.g. CloudTrail, or EventBridge publishing to an encrypted topic).
   * A service already granted under the same statement ID is not added twice.
   */
  public addServiceGrant(grant: KmsServiceGrant): void {
    const sid = serviceGrantStatement(grant).Sid;
    if (!this.addedGrants.some((g) => serviceGrantStatement(g).Sid === sid)) {
      this.addedGrants.push(grant);
    }
  }
}

/** The key policy statement of a service grant. */
function serviceGrantStatement(grant: KmsServiceGrant): any {
  return {
    Sid: grant.sid ?? `Allow${grant.servicePrincipal.split('.')[0].replace(/[^A-Za-z0-9]/g, '')}`,
    Effect: 'Allow',
    Principal: { Service: grant.servicePrincipal },
    Action: grant.actions,
    Resource: '*',
    ...(grant.conditions ? { Condition: grant.conditions } : {}),
  };
}
