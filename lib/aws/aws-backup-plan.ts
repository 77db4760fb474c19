import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { DefaultTokenResolver, StringConcat, Token, Tokenization } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { DataStoreKind, DataStoreRecord } from '../core/data-store-registry';
import { BackupPlanOptions, IBackupPlan } from '../core/interfaces';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { slugify } from '../core/validate';
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
  /**
   * Monthly restore test: AWS Backup restores the newest recovery point of every database and bucket in the
   * primary vault, keeps it for the validation window, then deletes it; a failed test shows in AWS Backup's jobs.
   */
  public readonly restoreTesting: BackupRestoreTestingPlan;
  private readonly cloud: AwsCloud;
  private readonly role: IamRole;

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

    this.cloud = cloud;
    const role = this.role = new IamRole(this, 'Role', {
      provider: cloud.provider, namePrefix: 'aws-backup-', assumeRolePolicy: serviceTrustPolicy(['backup.amazonaws.com']),
    });
    for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores',
      'AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore']) {
      const path = policy.includes('S3') ? 'policy' : 'policy/service-role';
      new IamRolePolicyAttachment(this, policy.replace('AWSBackupServiceRolePolicy', 'Role'), {
        provider: cloud.provider, role: role.name, policyArn: `arn:${cloud.partition}:iam::aws:${path}/${policy}`,
      });
    }
    const perStore = cloud.stack.usage.backupGiBPerStore;
    // BackupPolicy passes a lazy list filled as stores register; count them when the estimate is made (at synth).
    const storeCount = () => Token.isUnresolved(props.resourceIds)
      ? (Tokenization.resolve(props.resourceIds, { scope: this, resolver: new DefaultTokenResolver(new StringConcat()) }) as unknown[]).length
      : props.resourceIds.length;
    for (const [region, vault] of [[cloud.primaryRegion, 'primary vault'], [cloud.drRegion, 'DR vault copy']]) {
      cloud.stack.addCostLine({
        component: this.node.path, resource: `AWS Backup warm storage (${vault})`, region, unit: CostUnit.GB_MONTH,
        get baselineQuantity() { return storeCount() * perStore; },
        get fullScaleQuantity() { return storeCount() * perStore; },
        priceKey: 'backup:warm',
        get assumption() {
          return `${storeCount()} store(s) x usageAssumptions.backupGiBPerStore = ${perStore} GiB, priced at the EBS/S3 warm rate ` +
            '(RDS snapshots cost more); cross-region copy transfer not counted';
        },
      });
    }
    new BackupSelection(this, 'Selection', {
      provider: cloud.provider, name: 'registered-data-stores', planId: this.plan.id, iamRoleArn: role.arn, resources: props.resourceIds,
    });
    this.restoreTesting = this.addRestoreTesting(cloud, role);
  }

  /**
   * Recoverability exercised, not assumed: a restore test on the first day of each month. It runs in the primary
   * region, where the restored database gets its original network (a test in the DR region would need the DR
   * deployment); the DR copies are byte-identical copies of the same recovery points.
   */
  private addRestoreTesting(cloud: AwsCloud, role: IamRole): BackupRestoreTestingPlan {
    const plan = new BackupRestoreTestingPlan(this, 'RestoreTesting', {
      provider: cloud.provider,
      // Letters, digits and underscores only.
      name: `${cloud.namePrefix.replace(/[^A-Za-z0-9]/g, '_')}_monthly_restore_test`,
      scheduleExpression: 'cron(0 6 1 * ? *)',
      startWindowHours: 24,
      recoveryPointSelection: [{
        algorithm: 'LATEST_WITHIN_WINDOW', includeVaults: [this.vault.arn], recoveryPointTypes: ['SNAPSHOT'], selectionWindowDays: 7,
      }],
    });
    for (const type of ['RDS', 'S3']) {
      new BackupRestoreTestingSelection(this, `RestoreTesting${type}`, {
        provider: cloud.provider,
        name: `${type.toLowerCase()}_recovery_points`,
        restoreTestingPlanName: plan.name,
        protectedResourceType: type,
        // Every recovery point of this type in the vault: the vault holds only the platform's stores.
        protectedResourceArns: ['*'],
        iamRoleArn: role.arn,
        validationWindowHours: 2,
      });
    }
    return plan;
  }

  /**
   * A restore job from the newest recovery point of the store in the DR vault: RDS into a new instance in the
   * network of the stack deployed in the DR region, S3 into a new bucket encrypted with the DR data key.
   */
  public restoreProcedure(store: DataStoreRecord): RestoreProcedure | undefined {
    const cloud = this.cloud;
    const dr = cloud.drRegion;
    const vault = `${cloud.namePrefix}-dr`;
    const target = `${slugify(`${cloud.namePrefix}-${store.purpose}`).slice(0, 50).replace(/-+$/, '')}-restored`;
    let metadata: string;
    let endpoint: string;
    if (store.kind === DataStoreKind.DATABASE) {
      metadata = `jq --arg id ${target} --arg sg "$SUBNET_GROUP" --arg sgid "$SECURITY_GROUP" \\\n` +
        '  \'.DBInstanceIdentifier=$id | .DBSubnetGroupName=$sg | .VpcSecurityGroupIds=([$sgid]|tojson) | .MultiAZ="true"\' \\\n' +
        '  restore-metadata.json > restore-metadata.edited.json';
      endpoint = `aws rds describe-db-instances --region ${dr} --db-instance-identifier ${target} --query 'DBInstances[0].Endpoint.Address' --output text`;
    } else if (store.kind === DataStoreKind.OBJECT_STORE) {
      // Looked up by alias: asking the cloud for the key here would create one during synthesis.
      metadata = `RESTORED_BUCKET=${target}-$(date +%Y%m%d%H%M)\n` +
        `DR_KEY_ARN=$(aws kms describe-key --region ${dr} --key-id alias/${cloud.namePrefix}/${KeyPurpose.DATA} --query KeyMetadata.Arn --output text)\n` +
        'jq --arg b "$RESTORED_BUCKET" --arg k "$DR_KEY_ARN" \\\n' +
        '  \'.DestinationBucketName=$b | .NewBucket="true" | .Encrypted="true" | .EncryptionType="SSE-KMS" | .KMSKey=$k\' \\\n' +
        '  restore-metadata.json > restore-metadata.edited.json';
      endpoint = 'echo "$RESTORED_BUCKET"';
    } else {
      return undefined;
    }
    return {
      kind: RestoreKind.SNAPSHOT,
      summary: `AWS Backup restore job from the newest recovery point in vault \`${vault}\` (${dr})`,
      afterDeploy: store.kind === DataStoreKind.DATABASE,
      prerequisites: [
        `The AWS Backup vault \`${vault}\` in \`${dr}\` with its recovery points, and its KMS key (alias \`alias/${cloud.namePrefix}/backup\`).`,
        'The AWS Backup service role of the stack (IAM is global), allowed to restore.',
        ...(store.kind === DataStoreKind.OBJECT_STORE
          ? [`A KMS key with alias \`alias/${cloud.namePrefix}/${KeyPurpose.DATA}\` in \`${dr}\` for the restored bucket (the stack creates it when it replicates anything there).`]
          : []),
      ],
      steps: [{
        title: `Find the newest recovery point of \`${store.purpose}\` in vault \`${vault}\``,
        lookups: { SOURCE_ARN: store.resourceId, RESTORE_ROLE_ARN: this.role.arn },
        commands: [
          `RECOVERY_POINT=$(aws backup list-recovery-points-by-backup-vault --region ${dr} --backup-vault-name ${vault} --by-resource-arn "$SOURCE_ARN" \\\n` +
          "  --query 'reverse(sort_by(RecoveryPoints[?Status==`COMPLETED`], &CreationDate))[0].RecoveryPointArn' --output text)",
          `aws backup get-recovery-point-restore-metadata --region ${dr} --backup-vault-name ${vault} --recovery-point-arn "$RECOVERY_POINT" \\\n` +
          '  --query RestoreMetadata > restore-metadata.json',
        ],
      }, {
        title: `Start the restore job of \`${store.purpose}\` and wait for it`,
        commands: [
          metadata,
          `JOB=$(aws backup start-restore-job --region ${dr} --recovery-point-arn "$RECOVERY_POINT" --iam-role-arn "$RESTORE_ROLE_ARN" \\\n` +
          '  --metadata file://restore-metadata.edited.json --query RestoreJobId --output text)',
          `while s=$(aws backup describe-restore-job --region ${dr} --restore-job-id "$JOB" --query Status --output text); ` +
          '[ "$s" = PENDING ] || [ "$s" = RUNNING ]; do sleep 60; done; echo "restore job $JOB: $s"',
        ],
      }],
      endpointCommand: endpoint,
    };
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
