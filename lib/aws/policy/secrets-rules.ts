/* Secrets Manager rules. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { requireSet, rule } from './rule';

export const SECRETS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_149', PolicyLevel.ERROR, 'Secrets Manager secrets must be encrypted with a customer-managed KMS key.', ['aws_secretsmanager_secret'],
    (secret) => requireSet(secret.config, 'kms_key_id')),
];
