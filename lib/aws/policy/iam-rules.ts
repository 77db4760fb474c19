/* IAM rules: wildcard actions and resources in policy documents, and AdministratorAccess attachments. */
import { IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, rule, statementsOf } from './rule';

/** Resource types holding an identity policy document in `policy` (roles hold theirs in inline_policy). */
const DOCUMENT_TYPES = ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_role'];

const ATTACHMENT_TYPES = ['aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment',
  'aws_iam_policy_attachment'];

/**
 * Actions that IAM cannot scope to a resource, so Resource "*" is the only way to grant them. Matched
 * case-insensitively, as IAM does.
 */
const UNSCOPED_ACTIONS = ['ecr:getauthorizationtoken', 'sts:getcalleridentity', 'cloudwatch:putmetricdata',
  'xray:puttracesegments', 'xray:puttelemetryrecords', 'ec2:getinstancetypesfrominstancerequirements'];

/** The identity-policy statements of a resource, from `policy` or a role's inline policies. */
function statementsOfResource(resource: PolicyResource): any[] {
  if (resource.type === 'aws_iam_role') {
    return asList(resource.config.inline_policy).flatMap((p) => statementsOf(p?.policy));
  }
  return statementsOf(resource.config.policy);
}

/** Allow statements of the resource. */
function allows(resource: PolicyResource): any[] {
  return statementsOfResource(resource).filter((s) => s.Effect === 'Allow');
}

function sid(statement: any): string {
  return JSON.stringify(statement.Sid ?? '(no Sid)');
}

/** True for an action that has no resource-level scoping (List*, Describe*, Get*AuthorizationToken, ...). */
function isUnscopedAction(action: string): boolean {
  const a = action.toLowerCase();
  const name = a.split(':')[1] ?? '';
  return UNSCOPED_ACTIONS.includes(a) || name.startsWith('list') || name.startsWith('describe') || /^get.*authorizationtoken$/.test(name);
}

/** True when a policy ARN is the AWS-managed AdministratorAccess policy. */
function isAdministratorAccess(arn: any): boolean {
  return typeof arn === 'string' && arn.endsWith(':policy/AdministratorAccess');
}

export const IAM_RULES: IPolicyRule[] = [
  rule('CKV_AWS_62', PolicyLevel.ERROR, 'IAM policies must not grant full administrative privileges (Action "*" on Resource "*").', DOCUMENT_TYPES,
    (resource) => {
      const admin = allows(resource).find((s) => asList(s.Action).includes('*') && asList(s.Resource).includes('*'));
      return admin ? `Allow statement ${sid(admin)} grants Action "*" on Resource "*"` : undefined;
    }),

  rule('CKV_AWS_63', PolicyLevel.ERROR, 'IAM policies must not allow Action "*".', DOCUMENT_TYPES,
    (resource) => {
      const wildcard = allows(resource).find((s) => asList(s.Action).includes('*'));
      return wildcard ? `Allow statement ${sid(wildcard)} has Action "*"` : undefined;
    }),

  rule('CKV_AWS_355', PolicyLevel.WARNING, 'IAM policies should scope resource-level actions to specific resources, not Resource "*".', DOCUMENT_TYPES,
    (resource) => {
      for (const s of allows(resource)) {
        if (!asList(s.Resource).includes('*')) {
          continue;
        }
        const scoped = asList(s.Action).filter((a) => typeof a === 'string' && !isUnscopedAction(a));
        if (scoped.length > 0) {
          return `Allow statement ${sid(s)} grants ${scoped.slice(0, 3).join(', ')}${scoped.length > 3 ? ', ...' : ''} on Resource "*"`;
        }
      }
      return undefined;
    }),

  rule('CKV_AWS_274', PolicyLevel.ERROR, 'IAM identities must not have the AdministratorAccess managed policy.', [...ATTACHMENT_TYPES, 'aws_iam_role'],
    (resource) => {
      const arns = resource.type === 'aws_iam_role' ? asList(resource.config.managed_policy_arns) : [resource.config.policy_arn];
      const admin = arns.find(isAdministratorAccess);
      return admin ? `${resource.type === 'aws_iam_role' ? 'managed_policy_arns contains' : 'policy_arn is'} ${admin}` : undefined;
    }),
];
