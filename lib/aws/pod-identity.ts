import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ITerraformDependable, Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { IWorkloadIdentity } from '../core/interfaces';
import { checkDnsLabel } from '../core/validate';
import type { AwsCloud } from './aws-cloud';
import { IAwsGrantee } from './grantee';
import { PolicyStatement, policyDocument } from './iam-policy';

/** Properties of a {@link PodIdentity}. */
export interface PodIdentityProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /** Name of the EKS cluster. */
  readonly clusterName: string;
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account. */
  readonly serviceAccountName: string;
}

/**
 * An IAM role for the pods of one Kubernetes service account, through EKS Pod Identity: no OIDC provider,
 * no role ARN annotation, and the trust policy is the same for every cluster. Permissions are added by the
 * resources' grant methods; the inline policy is created with the first grant.
 *
 * @example
 * const identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: 'mlflow', serviceAccountName: 'mlflow' });
 * bucket.grantReadWrite(identity);
 */
export class PodIdentity extends Construct implements IWorkloadIdentity, IAwsGrantee {
  /** The role. */
  public readonly role: IamRole;
  /** Namespace. */
  public readonly namespace: string;
  /** Service account. */
  public readonly serviceAccountName: string;
  /** Role ARN. */
  public readonly principalId: string;
  public readonly prerequisites: ITerraformDependable[];
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: PodIdentityProps) {
    super(scope, id);
    checkDnsLabel(this, 'namespace', props.namespace, 'namespace');
    checkDnsLabel(this, 'serviceAccountName', props.serviceAccountName, 'service account');
    this.namespace = props.namespace;
    this.serviceAccountName = props.serviceAccountName;
    this.role = new IamRole(this, 'Role', {
      provider: props.cloud.provider,
      namePrefix: `pod-${props.serviceAccountName}-`.slice(0, 38),
      description: `EKS Pod Identity for ${props.namespace}/${props.serviceAccountName}`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: { StringEquals: { 'aws:SourceAccount': props.cloud.accountId } },
        }],
      }),
    });
    this.principalId = this.role.arn;
    const association = new EksPodIdentityAssociation(this, 'Association', {
      provider: props.cloud.provider,
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccountName,
      roleArn: this.role.arn,
    });
    // Created now, filled at synth, so releases can wait for it even when grants come after them.
    const policy = new IamRolePolicy(this, 'Policy', {
      provider: props.cloud.provider,
      role: this.role.id,
      policy: Lazy.stringValue({
        produce: () => policyDocument(this.statements.length > 0 ? this.statements
          // IAM rejects an empty policy; this identity was granted nothing, so it gets a harmless no-op.
          : [{ sid: 'NothingGranted', actions: ['sts:GetCallerIdentity'], resources: ['*'] }]),
      }),
    });
    this.prerequisites = [association, policy];
  }

  public addToPrincipalPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }
}
