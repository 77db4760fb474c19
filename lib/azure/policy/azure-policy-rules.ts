import { IPolicyRule } from '../../core/policy/policy-rule';
import { AKS_RULES } from './aks-rules';
import { DATABASE_RULES } from './database-rules';
import { SERVICES_RULES } from './services-rules';
import { STORAGE_RULES } from './storage-rules';

/**
 * The Azure policy rule pack: security and resilience rules for storage accounts and blob containers, PostgreSQL
 * flexible servers and their parameters, Container Registry, Key Vault (vaults, keys, secrets), Data Protection
 * backup vaults, AKS clusters and node pools, and subnets. Rule IDs follow checkov's Azure IDs (CKV_AZURE_*,
 * CKV2_AZURE_*) where checkov has the check, so suppressions read the same in both tools; checks checkov lacks use
 * the `MLOPS_AZ_` prefix.
 *
 * @example
 * stack.policy.addRules(AzurePolicyRules.all());
 */
export class AzurePolicyRules {
  /** Every Azure rule, as a new array on each call. */
  public static all(): IPolicyRule[] {
    return [...STORAGE_RULES, ...DATABASE_RULES, ...SERVICES_RULES, ...AKS_RULES];
  }

  private constructor() {}
}
