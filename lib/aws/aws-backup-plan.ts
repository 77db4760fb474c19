import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { BackupPlanOptions, IBackupPlan } from '../core/interfaces';
import { AwsCloud, AwsRegionRole, KeyPurpose } from './aws-cloud';
import { serviceTrustPolicy } from './iam-policy';

/** Properties of an {@link AwsBackupPlan}. */
export interface AwsBackupPlanProps extends BackupPlanOptions {
  /** The cloud. */
  readonly cloud: AwsCloud;
}

/**
 * AWS Backup for the platform's stores: a vault in each region encrypted with its own key and locked, a plan
 * whose snapshot rule copies every recovery point to the DR vault, and a selection of the given resources.
 * No continuous rule: for RDS it would take over the instance's automated backups (and fight Terraform over
 * their retention); stores keep point-in-time recovery themselves.
 */
export class AwsBackupPlan extends Construct implements IBackupPlan {
  public readonly mechanism = 'AWS Backup';
  /** The plan. */
  public readonly plan: BackupPlan;
  /** Vault in the primary region. */
  public readonly vault: BackupVault;
  /** Vault in the DR region. */
  public readonly drVault: BackupVault;

  constructor(scope: Construct, id: string, props: AwsBackupPlanProps) {
    super(scope, id);
    const cloud = props.cloud;
    const retentionDays = Math.round(props.retention.toDays());
    this.vault = this.lockedVault('Vault', cloud, AwsRegionRole.PRIMARY, retentionDays, props.complianceLockAfterDays);
    this.drVault = this.lockedVault('DrVault', cloud, AwsRegionRole.DR, retentionDays, props.complianceLockAfterDays);

    const rules: any[] = [{
      ruleName: `snapshots-every-${props.snapshotIntervalHours}h`,
      targetVaultName: this.vault.name,
      schedule: props.snapshotSchedule,
      startWindow: props.startWindowMinutes,
      completionWindow: props.completionWindowMinutes,
      lifecycle: { deleteAfter: retentionDays },
      copyAction: [{ destinationVaultArn: this.drVault.arn, lifecycle: { deleteAfter: retentionDays } }],
    }];
    this.plan = new BackupPlan(this, 'Plan', { provider: cloud.provider, name: `${cloud.namePrefix}-platform`, rule: rules });

    const role = new IamRole(this, 'Role', {
      provider: cloud.provider, namePrefix: 'aws-backup-', assumeRolePolicy: serviceTrustPolicy(['backup.amazonaws.com']),
    });
    for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores',
      'AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore']) {
      const path = policy.includes('S3') ? 'policy' : 'policy/service-role';
      new IamRolePolicyAttachment(this, policy.replace('AWSBackupServiceRolePolicy', 'Role'), {
        provider: cloud.provider, role: role.name, policyArn: `arn:${cloud.partition}:iam::aws:${path}/${policy}`,
      });
    }
    new BackupSelection(this, 'Selection', {
      provider: cloud.provider, name: 'registered-data-stores', planId: this.plan.id, iamRoleArn: role.arn, resources: props.resourceIds,
    });
  }

  private lockedVault(id: string, cloud: AwsCloud, region: AwsRegionRole, retentionDays: number, complianceAfter?: number): BackupVault {
    const provider = cloud.providerFor(region);
    const vault = new BackupVault(this, id, {
      provider,
      name: `${cloud.namePrefix}-${region === AwsRegionRole.DR ? 'dr' : 'primary'}`,
      kmsKeyArn: cloud.key(KeyPurpose.BACKUP, region).keyArn,
      forceDestroy: false,
    });
    new BackupVaultLockConfiguration(this, `${id}Lock`, {
      provider,
      backupVaultName: vault.name,
      minRetentionDays: Math.min(7, retentionDays),
      maxRetentionDays: retentionDays,
      changeableForDays: complianceAfter,
    });
    return vault;
  }
}
