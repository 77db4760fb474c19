import type { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import type { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import type { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import {
  AlertDestinationOptions, BackupPlanOptions, ClusterBackupLocation, IAlertDestination, ContainerRepositoryOptions, CostBudgetOptions, IBackupLocationAccess,
  IBackupPlan, ICloudServices, IContainerRepository, IObjectStore, IPostgresDatabase, IWorkloadIdentity, ObjectStoreOptions, PostgresDatabaseOptions,
} from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import { isUnresolved } from '../core/validate';
import { ArtifactRepository } from './artifact-repository';
import { CloudSqlPostgres } from './cloud-sql-postgres';
import { GcpBillingBudget } from './gcp-billing-budget';
import { GcpKmsKey } from './gcp-kms-key';
import { gcpLabels, GcpLabelsAspect } from './gcp-labels';
import { GcpPriceCatalog } from './gcp-price-catalog';
import { checkGcpRegion } from './gcp-regions';
import { GcsBucket } from './gcs-bucket';
import { GkeBackupPlan } from './gke-backup-plan';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent, serviceAgentEmail } from './google-service-agents';
import { GcpPolicyRules } from './policy/gcp-policy-rules';

/** The Velero plugin for GCP matching Velero 1.18 (chart velero 12.1.0). */
const VELERO_GCP_PLUGIN_IMAGE = 'velero/velero-plugin-for-gcp:v1.14.0';

/** Which of the stack's two regions a resource lives in. */
export enum GcpRegionRole {
  /** The stack's primary region. */
  PRIMARY = 'PRIMARY',
  /** The recovery objective's DR region. */
  DR = 'DR',
}

/** Purposes of the customer-managed keys the GCP layer creates on demand (any lower-case word works too). */
export enum GcpKeyPurpose {
  /** Data at rest: GCS, Cloud SQL, Artifact Registry, Secret Manager, node disks. */
  DATA = 'data',
  /** GKE application-layer secrets encryption (etcd). */
  ETCD = 'etcd',
  /** Backup for GKE backups. */
  BACKUP = 'backup',
  /** Pub/Sub topics (budget notifications). */
  NOTIFICATIONS = 'notifications',
}

/** Properties of a {@link GcpCloud}. */
export interface GcpCloudProps {
  /** Google Cloud project ID the stack deploys to, e.g. `fraud-ml-prod`. */
  readonly projectId: string;
  /**
   * Add the provider's `goog-terraform-provisioned = true` label to the resources it creates.
   *
   * @default true
   */
  readonly addTerraformAttributionLabel?: boolean;
}

/**
 * The Google Cloud implementation of {@link ICloudServices}: the google provider of a stack (its
 * `default_labels` carry the cost allocation; an Aspect adds them where default labels do not reach: Cloud SQL
 * user labels and GKE node labels), the project number, one KMS key ring per region with a CMEK per purpose,
 * service agent emails, and the factory of every GCP data store the platform constructs ask for. Creating it
 * registers the GCP price catalog.
 *
 * The google bindings are loaded when this is constructed (see `google-bindings.ts`): AWS users of the library
 * never load them.
 *
 * Part B's stores (`GcsBucket`, `CloudSqlPostgres`, `ArtifactRepository`, `GkeBackupPlan`, `GcpBillingBudget`,
 * `GcpNamespaceSecretStore`) take `{ cloud: GcpCloud, ...options }` and use `provider`, `projectId`,
 * `projectNumber`, `regionName(role)`, `key(purpose, role)` with `grantToServiceAgent`, `serviceAgent(service)`,
 * `labels` and `namePrefix`.
 *
 * @example
 * const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
 * const bucket = cloud.newObjectStore(stack, 'Datasets', { purpose: 'datasets' });
 */
export class GcpCloud extends Construct implements ICloudServices {
  /** Monitoring notification channels a Cloud Billing budget can notify. */
  public static readonly MAX_BUDGET_CHANNELS = 5;

  /**
   * The APIs the platform calls, which the operator enables once per project (the deployment step lists them).
   * Besides one API per resource type: `storagetransfer` (replication jobs and the transfer agent data source),
   * `cloudbilling` (the linked billing account the budget reads: without it the provider reads an empty account),
   * `binaryauthorization` (the cluster's evaluation mode), `iamcredentials` and `sts` (Workload Identity token
   * exchange of External Secrets), `monitoring` (budget email channels, managed Prometheus).
   */
  public static readonly REQUIRED_APIS: string[] = [
    'serviceusage', 'cloudresourcemanager', 'iam', 'iamcredentials', 'sts', 'compute', 'container', 'cloudkms',
    'servicenetworking', 'sqladmin', 'artifactregistry', 'secretmanager', 'gkebackup', 'binaryauthorization',
    'storage', 'storagetransfer', 'pubsub', 'monitoring', 'logging', 'cloudbilling', 'billingbudgets',
  ].map((api) => `${api}.googleapis.com`);

  /** Always `gcp`. */
  public readonly cloudName = 'gcp';
  /** Primary region, e.g. `us-central1`. */
  public readonly primaryRegion: string;
  /** DR region, e.g. `us-east1`. */
  public readonly drRegion: string;
  /** Project ID. */
  public readonly projectId: string;
  /** Project number, resolved at plan time (from `data.google_project`). */
  public readonly projectNumber: string;
  /** The google provider (project and primary region set; resources in the DR region name their location). */
  public readonly provider: GoogleProvider;
  /** Prefix for names that must be unique in the project, e.g. `fraud-prod`. */
  public readonly namePrefix: string;
  /** The cost allocation as GCP labels (lower-case values), plus `managed-by`. */
  public readonly labels: { [key: string]: string };
  /** The stack. */
  public readonly stack: PlatformStack;
  private readonly keyRings = new Map<GcpRegionRole, KmsKeyRing>();
  private readonly keys = new Map<string, GcpKmsKey>();

  constructor(scope: Construct, id: string, props: GcpCloudProps) {
    super(scope, id);
    this.stack = PlatformStack.ofConstruct(this);
    checkProjectId(this, props?.projectId);
    checkGcpRegion(this, 'primaryRegion', this.stack.primaryRegion);
    checkGcpRegion(this, 'recoveryObjective.drRegion', this.stack.recoveryObjective.drRegion);
    this.primaryRegion = this.stack.primaryRegion;
    this.drRegion = this.stack.recoveryObjective.drRegion;
    this.projectId = props.projectId;
    this.namePrefix = this.stack.costAllocation.resourcePrefix;
    this.labels = { ...gcpLabels(this.stack.costAllocation.tags), 'managed-by': 'cdktf-mlops' };
    const { GoogleProvider: Provider } = loadGoogle<typeof import('@cdktf/provider-google/lib/provider')>('provider');
    this.provider = new Provider(this, 'Primary', {
      project: props.projectId,
      region: this.primaryRegion,
      addTerraformAttributionLabel: props.addTerraformAttributionLabel ?? true,
      // Quota and billing of every call go to the project itself: the Billing Budgets API refuses user credentials
      // (`gcloud auth application-default login`) without a quota project ("requires a quota project"), and the
      // provider documents these two settings for google_billing_budget. The caller needs serviceusage.services.use.
      userProjectOverride: true,
      billingProject: props.projectId,
    });
    // Through an override: cdktf snake-cases the keys of a provider's map arguments (cost-center -> cost_center).
    this.provider.addOverride('default_labels', this.labels);
    const { DataGoogleProject: Project } = loadGoogle<typeof import('@cdktf/provider-google/lib/data-google-project')>('data-google-project');
    const project: DataGoogleProject = new Project(this, 'Project', { provider: this.provider, projectId: props.projectId });
    this.projectNumber = project.number;
    GcpLabelsAspect.applyTo(this.stack, this.labels);
    this.stack.policy.addRules(GcpPolicyRules.all());
    this.stack.usePriceCatalog(GcpPriceCatalog.load());
    this.stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Enable the Google Cloud APIs the platform uses',
      detail: 'The stack does not enable APIs (disabling them on destroy would break other users of the project). '
        + 'Enable them once per project. The provider sends the project as quota project (user_project_override), so the '
        + 'identity that deploys needs serviceusage.services.use on it (Owner, Editor or Service Usage Consumer).',
      command: `gcloud services enable ${GcpCloud.REQUIRED_APIS.join(' ')} --project ${props.projectId}`,
    });
  }

  /** The region name of a region role. */
  public regionName(region: GcpRegionRole): string {
    return region === GcpRegionRole.DR ? this.drRegion : this.primaryRegion;
  }

  /**
   * The email of a Google service agent of the project (e.g. the GKE or Cloud Storage agent), computed from the
   * project number with the formula Google documents for it.
   */
  public serviceAgent(service: GoogleServiceAgent): string {
    return serviceAgentEmail(service, this.projectNumber);
  }

  /**
   * The CMEK for a purpose in a region, created on first use in the region's key ring (`<prefix>-<region role>`).
   * KMS keys and key rings are never deleted by Google: a destroyed stack leaves them (key versions are
   * scheduled for destruction after 30 days), and their names cannot be reused.
   *
   * @param purpose lower-case letters and digits, e.g. `data` (see {@link GcpKeyPurpose})
   * @param region which of the stack's regions
   */
  public key(purpose: string, region: GcpRegionRole = GcpRegionRole.PRIMARY): GcpKmsKey {
    if (!/^[a-z][a-z0-9]{0,30}$/.test(purpose)) {
      throw new ValidationError(this, 'purpose', purpose, 'must be lower-case letters and digits, starting with a letter, at most 31',
        "Pass a GcpKeyPurpose value, e.g. 'data'.");
    }
    const name = `${region === GcpRegionRole.DR ? 'Dr' : 'Primary'}${purpose[0].toUpperCase()}${purpose.slice(1)}Key`;
    let key = this.keys.get(name);
    if (!key) {
      key = new GcpKmsKey(this, name, {
        provider: this.provider,
        keyRingId: this.keyRing(region).id,
        keyName: `${this.namePrefix}-${purpose}`,
        region: this.regionName(region),
        projectNumber: this.projectNumber,
        purpose: `${purpose} (${this.namePrefix})`,
      });
      this.keys.set(name, key);
    }
    return key;
  }

  public newObjectStore(scope: IConstruct, id: string, options: ObjectStoreOptions): IObjectStore {
    return new GcsBucket(scope as Construct, id, { cloud: this, ...options });
  }

  public newPostgresDatabase(scope: IConstruct, id: string, options: PostgresDatabaseOptions): IPostgresDatabase {
    return new CloudSqlPostgres(scope as Construct, id, { cloud: this, ...options });
  }

  public newContainerRepository(scope: IConstruct, id: string, options: ContainerRepositoryOptions): IContainerRepository {
    return new ArtifactRepository(scope as Construct, id, { cloud: this, ...options });
  }

  public newBackupPlan(scope: IConstruct, id: string, options: BackupPlanOptions): IBackupPlan {
    return new GkeBackupPlan(scope as Construct, id, { cloud: this, ...options });
  }

  public newCostBudget(scope: IConstruct, id: string, options: CostBudgetOptions): void {
    new GcpBillingBudget(scope as Construct, id, { cloud: this, ...options });
  }

  public newClusterBackupLocation(scope: IConstruct, id: string): ClusterBackupLocation {
    const bucket = new GcsBucket(scope as Construct, id, { cloud: this, purpose: 'cluster-state-backups', inDrRegion: true });
    // Filled in when Velero's identity is granted (before the release's values are rendered).
    const config: { [key: string]: string } = {};
    const provider = this.provider;
    const projectId = this.projectId;
    const grantee: IBackupLocationAccess = {
      grantReadWrite(identity: IWorkloadIdentity): void {
        bucket.grantReadWrite(identity);
        // Under Workload Identity (metadata-server credentials) velero-plugin-for-gcp refuses to initialize the location
        // without `serviceAccount` in its config: the location stays Unavailable and no backup runs. It signs the download
        // URLs of `velero backup logs`/`describe --details` as that account through the IAM Credentials API, so the
        // account holds Token Creator on itself.
        config.serviceAccount = identity.principalId;
        if (bucket.node.tryFindChild('VeleroUrlSigner')) {
          return;
        }
        const { ServiceAccountIamMember: Member } =
          loadGoogle<typeof import('@cdktf/provider-google/lib/service-account-iam-member')>('service-account-iam-member');
        const signer = new Member(bucket, 'VeleroUrlSigner', {
          provider, serviceAccountId: `projects/${projectId}/serviceAccounts/${identity.principalId}`,
          role: 'roles/iam.serviceAccountTokenCreator', member: `serviceAccount:${identity.principalId}`,
        });
        const prerequisites = (identity as any).prerequisites;
        if (Array.isArray(prerequisites) && !Object.isFrozen(prerequisites)) {
          prerequisites.push(signer);
        }
      },
    };
    return { provider: 'velero.io/gcp', pluginImage: VELERO_GCP_PLUGIN_IMAGE, bucket, config, grantee };
  }

  /** Cloud SQL tiers: shared-core `db-f1-micro`/`db-g1-small`, or `db-custom-<vCPUs>-<MiB>` (and `db-perf-optimized-N-<n>`). */
  public checkDatabaseInstanceClass(scope: IConstruct, prop: string, instanceClass?: string): void {
    if (instanceClass === undefined || isUnresolved(instanceClass)) {
      return;
    }
    if (typeof instanceClass !== 'string' || !/^(db-custom-\d{1,2}-\d{4,6}|db-perf-optimized-n-\d{1,3}|db-f1-micro|db-g1-small)$/.test(instanceClass)) {
      throw new ValidationError(scope, prop, instanceClass, 'is not a Cloud SQL for PostgreSQL tier',
        'Use a custom tier such as "db-custom-2-8192" (2 vCPUs, 8 GiB); shared-core tiers have no SLA.');
    }
  }

  /** Cloud Billing budgets notify at most 5 monitoring channels; email addresses each become one. */
  public checkBudgetNotifications(scope: IConstruct, emailsProp: string, emails: string[], _thresholdsProp: string, _notificationCount: number): void {
    if (Array.isArray(emails) && emails.length > GcpCloud.MAX_BUDGET_CHANNELS) {
      throw new ValidationError(scope, emailsProp, `${emails.length} addresses`,
        `lists more than the ${GcpCloud.MAX_BUDGET_CHANNELS} notification channels a Cloud Billing budget can notify`,
        'Send to a group address instead of individual people.');
    }
  }

  /**
   * Not available on GCP yet: Alertmanager has no Pub/Sub receiver, and a Cloud Monitoring notification channel
   * needs a different alert path. Throws an error saying so.
   */
  public newAlertDestination(_scope: IConstruct, _id: string, _options: AlertDestinationOptions): IAlertDestination {
    throw new Error(`${this.node.path}: alert destinations are not implemented on Google Cloud yet `
      + '(Alertmanager has no Pub/Sub receiver); route alerts through Cloud Monitoring notification channels instead.');
  }

  private keyRing(region: GcpRegionRole): KmsKeyRing {
    let ring = this.keyRings.get(region);
    if (!ring) {
      const { KmsKeyRing: Ring } = loadGoogle<typeof import('@cdktf/provider-google/lib/kms-key-ring')>('kms-key-ring');
      ring = new Ring(this, region === GcpRegionRole.DR ? 'DrKeyRing' : 'PrimaryKeyRing', {
        provider: this.provider,
        name: `${this.namePrefix}-${region === GcpRegionRole.DR ? 'dr' : 'primary'}`,
        location: this.regionName(region),
      });
      this.keyRings.set(region, ring);
    }
    return ring;
  }
}

function checkProjectId(scope: IConstruct, projectId: unknown): void {
  if (isUnresolved(projectId)) {
    return;
  }
  if (typeof projectId !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) {
    throw new ValidationError(scope, 'projectId', projectId,
      'must be a Google Cloud project ID: 6-30 lower-case letters, digits and hyphens, starting with a letter',
      "Pass the project's ID (not its name or number), e.g. 'fraud-ml-prod'.");
  }
}
