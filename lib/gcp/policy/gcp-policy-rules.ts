import { IPolicyRule } from '../../core/policy/policy-rule';
import { GKE_RULES } from './gke-rules';
import { NETWORK_RULES } from './network-rules';
import { SERVICES_RULES } from './services-rules';
import { SQL_RULES } from './sql-rules';
import { STORAGE_RULES } from './storage-rules';

/**
 * The Google Cloud policy rule pack: security and resilience rules for Cloud Storage, Cloud SQL, GKE clusters and
 * node pools, VPC subnets and firewalls, Artifact Registry, Pub/Sub, Secret Manager, Cloud KMS, Backup for GKE and project IAM. Rule IDs follow
 * checkov's GCP IDs (CKV_GCP_*, CKV2_GCP_*) where checkov has the check, so suppressions read the same in both
 * tools; checks checkov lacks use the `MLOPS_` prefix.
 *
 * @example
 * stack.policy.addRules(GcpPolicyRules.all());
 */
export class GcpPolicyRules {
  /** Every GCP rule, as a new array on each call. */
  public static all(): IPolicyRule[] {
    return [...STORAGE_RULES, ...SQL_RULES, ...GKE_RULES, ...NETWORK_RULES, ...SERVICES_RULES];
  }

  private constructor() {}
}
