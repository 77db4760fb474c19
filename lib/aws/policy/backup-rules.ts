/* AWS Backup rules: vault encryption, vault lock and bounded retention. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { asList, attachedTo, firstBlock, isSet, requireSet, rule } from './rule';

/** True when a rule or copy action sets lifecycle.delete_after. */
function expires(block: any): boolean {
  return isSet(firstBlock(block, 'lifecycle')?.delete_after);
}

export const BACKUP_RULES: IPolicyRule[] = [
  rule('CKV_AWS_166', PolicyLevel.ERROR, 'Backup vaults must be encrypted with a customer-managed KMS key.', ['aws_backup_vault'],
    (vault) => requireSet(vault.config, 'kms_key_arn')),

  // A vault lock stops anyone, including an attacker with admin rights, from deleting recovery points early.
  rule('MLOPS_BACKUP_VAULT_LOCK', PolicyLevel.ERROR, 'Backup vaults must have a vault lock configuration.', ['aws_backup_vault'],
    (vault, context) => attachedTo(context, 'aws_backup_vault_lock_configuration', vault, 'backup_vault_name', 'name').length > 0
      ? undefined : 'no aws_backup_vault_lock_configuration references the vault'),

  rule('MLOPS_BACKUP_RETENTION', PolicyLevel.ERROR,
    'Every backup plan rule and copy action must set lifecycle.delete_after, so recovery points do not accumulate forever.', ['aws_backup_plan'],
    (plan) => {
      for (const r of asList(plan.config.rule)) {
        const name = JSON.stringify(r?.rule_name ?? '(unnamed)');
        if (!expires(r)) {
          return `rule ${name} has no lifecycle.delete_after`;
        }
        if (asList(r.copy_action).some((c) => !expires(c))) {
          return `a copy_action of rule ${name} has no lifecycle.delete_after`;
        }
      }
      return undefined;
    }),
];
