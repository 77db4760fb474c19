/* Secrets Manager rules. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { referencesResource, requireSet, rule } from './rule';

export const SECRETS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_149', PolicyLevel.ERROR, 'Secrets Manager secrets must be encrypted with a customer-managed KMS key.', ['aws_secretsmanager_secret'],
    (secret) => requireSet(secret.config, 'kms_key_id')),
  rule('CKV2_AWS_57', PolicyLevel.ERROR, 'Secrets Manager secrets must have automatic rotation (an aws_secretsmanager_secret_rotation).',
    ['aws_secretsmanager_secret'],
    (secret, context) => context.resourcesReferencing('aws_secretsmanager_secret_rotation', secret)
      .some((r) => referencesResource(r.config.secret_id, secret))
      ? undefined : 'no aws_secretsmanager_secret_rotation references the secret'),
];
