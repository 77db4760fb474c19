import type { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { ContainerRepositoryOptions, IContainerRepository, IWorkloadIdentity } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { checkInteger, claimUnique, isUnresolved } from '../core/validate';
import type { GcpCloud } from './gcp-cloud';
import { GcpKeyPurpose, GcpRegionRole } from './gcp-cloud';
import { addServiceAgentStep, labelValue } from './gcs-bucket';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent } from './google-service-agents';

/** Properties of an {@link ArtifactRepository}. */
export interface ArtifactRepositoryProps extends ContainerRepositoryOptions {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /**
   * Also create a repository of the same name in the DR region, which `grantPush` lets the pushers write to.
   * Artifact Registry has no cross-region replication: the DR copy holds what CI pushes to it, nothing more.
   *
   * @default true
   */
  readonly drRepository?: boolean;
  /**
   * Days after which tagged images beyond the newest `maxImageCount` are deleted.
   *
   * @default 90
   */
  readonly taggedImageExpiryDays?: number;
}

const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * An Artifact Registry Docker repository for serving images: immutable tags, encrypted with the platform's
 * regional CMEK (the Artifact Registry service agent is granted the key first), cleanup policies that delete
 * untagged images and cap old tagged ones (keeping the newest `maxImageCount`), vulnerability scanning inherited
 * from the project (it runs once the Container Scanning API is enabled), labelled.
 *
 * Artifact Registry cannot replicate a repository to another region. Rather than a multi-region location (whose
 * CMEK would have to live in a multi-region key ring the platform does not keep), the construct creates a second
 * repository in the DR region under the DR key: `grantPush` lets CI push to both, and the report says that the
 * DR copy is only what CI pushed there. Images are build outputs, so they are not registered as data stores.
 *
 * @example
 * const repo = cloud.newContainerRepository(this, 'Images', { repositoryName: 'fraud/serving' });
 */
export class ArtifactRepository extends Construct implements IContainerRepository {
  /** The repository in the primary region. */
  public readonly resource: ArtifactRegistryRepository;
  /** The repository in the DR region, when created. */
  public readonly drResource?: ArtifactRegistryRepository;
  /** Repository ID (the name with `/`, `.` and `_` turned into `-`). */
  public readonly repositoryName: string;
  /** `<region>-docker.pkg.dev/<project>/<repository>`: image names go below it. */
  public readonly repositoryUrl: string;
  /** URL of the DR-region repository, when created. */
  public readonly drRepositoryUrl?: string;
  private readonly cloud: GcpCloud;
  private readonly members = new Set<string>();

  constructor(scope: Construct, id: string, props: ArtifactRepositoryProps) {
    super(scope, id);
    const cloud = this.cloud = props.cloud;
    if (!isUnresolved(props.repositoryName) && (typeof props.repositoryName !== 'string' || !REPOSITORY_NAME.test(props.repositoryName))) {
      throw new ValidationError(this, 'repositoryName', props.repositoryName,
        'is not a valid repository name: 2-256 lower-case letters, digits, and "/", ".", "_" or "-" between them',
        'Use a name such as "fraud-models/serving".');
    }
    const repositoryId = isUnresolved(props.repositoryName) ? props.repositoryName
      : props.repositoryName.replace(/[/._]+/g, '-').slice(0, 63).replace(/-+$/, '');
    if (!isUnresolved(repositoryId) && !/^[a-z]/.test(repositoryId)) {
      throw new ValidationError(this, 'repositoryName', props.repositoryName, 'must start with a letter on Artifact Registry',
        'Prefix it with the project, e.g. "fraud-serving".');
    }
    claimUnique(this, 'repositoryName', repositoryId, 'Artifact Registry repository', repositoryId,
      'Give each repository its own name, e.g. "<project>/serving" and "<project>/training" (the ID replaces "/", "." and "_" with "-").');
    const untaggedDays = props.untaggedImageExpiryDays ?? 14;
    const maxImages = props.maxImageCount ?? 500;
    const taggedDays = props.taggedImageExpiryDays ?? 90;
    checkInteger(this, 'untaggedImageExpiryDays', untaggedDays, 1, 3650);
    checkInteger(this, 'maxImageCount', maxImages, 1, 10000);
    checkInteger(this, 'taggedImageExpiryDays', taggedDays, 1, 3650);

    const repository = (construct: string, role: GcpRegionRole) => {
      const key = cloud.key(GcpKeyPurpose.DATA, role);
      const grant = key.grantToServiceAgent(GoogleServiceAgent.ARTIFACT_REGISTRY);
      addServiceAgentStep(cloud);
      const { ArtifactRegistryRepository: Repository } =
        loadGoogle<typeof import('@cdktf/provider-google/lib/artifact-registry-repository')>('artifact-registry-repository');
      return new Repository(this, construct, {
        provider: cloud.provider,
        project: cloud.projectId,
        location: cloud.regionName(role),
        repositoryId,
        format: 'DOCKER',
        mode: 'STANDARD_REPOSITORY',
        description: `Serving images (${props.repositoryName})${role === GcpRegionRole.DR ? ', DR copy pushed by CI' : ''}`,
        kmsKeyName: key.keyId,
        dockerConfig: { immutableTags: true },
        vulnerabilityScanningConfig: { enablementConfig: 'INHERITED' },
        cleanupPolicyDryRun: false,
        cleanupPolicies: [
          { id: 'delete-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: `${untaggedDays * 86400}s` } },
          { id: 'delete-old-tagged', action: 'DELETE', condition: { tagState: 'TAGGED', olderThan: `${taggedDays * 86400}s` } },
          // KEEP wins over DELETE: the newest images stay whatever their age.
          { id: 'keep-newest', action: 'KEEP', mostRecentVersions: { keepCount: maxImages } },
        ],
        labels: { purpose: labelValue(`images-${repositoryId}`) },
        dependsOn: [grant],
      });
    };
    this.resource = repository('Resource', GcpRegionRole.PRIMARY);
    this.repositoryName = this.resource.repositoryId;
    this.repositoryUrl = `${cloud.primaryRegion}-docker.pkg.dev/${cloud.projectId}/${this.repositoryName}`;
    const stack = cloud.stack;
    const storedGiB = stack.usage.objectStorageGiBPerBucket;
    const regions = [cloud.primaryRegion];
    if (props.drRepository ?? true) {
      this.drResource = repository('DrRepository', GcpRegionRole.DR);
      this.drRepositoryUrl = `${cloud.drRegion}-docker.pkg.dev/${cloud.projectId}/${this.drResource.repositoryId}`;
      regions.push(cloud.drRegion);
    }
    for (const region of regions) {
      stack.addCostLine({
        component: this.node.path, resource: `Artifact Registry storage (${repositoryId})`, region, unit: CostUnit.GB_MONTH,
        baselineQuantity: storedGiB, fullScaleQuantity: storedGiB, priceKey: 'artifactregistry:storage',
        assumption: `usageAssumptions.objectStorageGiBPerBucket = ${storedGiB} GiB of images; the first 0.5 GiB a month is free`,
      });
    }
    stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Enable vulnerability scanning of Artifact Registry',
      detail: 'Repositories inherit scanning from the project (vulnerability_scanning_config INHERITED): images are scanned on push once the ' +
        'Container Scanning API is enabled (billed per scanned image).',
      command: `gcloud services enable containerscanning.googleapis.com --project ${cloud.projectId}`,
    });
    if (this.drResource) {
      stack.addDeploymentStep({
        phase: DeploymentPhase.AFTER_DEPLOY,
        title: `Push serving images to both regions (${repositoryId})`,
        detail: 'Artifact Registry has no cross-region replication. The repository in the DR region is only a copy when CI pushes every ' +
          `image to ${this.drRepositoryUrl} as well as ${this.repositoryUrl} (or copies it with \`gcrane cp\`/\`crane copy\`).`,
      });
    }
  }

  /** Lets the identity's Google service account pull images (`roles/artifactregistry.reader`) from both regions. */
  public grantPull(identity: IWorkloadIdentity): void {
    this.grant(identity, 'roles/artifactregistry.reader', 'Pull');
  }

  /** Lets the identity's Google service account push and pull images (`roles/artifactregistry.writer`) in both regions. */
  public grantPush(identity: IWorkloadIdentity): void {
    this.grant(identity, 'roles/artifactregistry.writer', 'Push');
  }

  private grant(identity: IWorkloadIdentity, role: string, what: string): void {
    const email = identity?.principalId;
    if (typeof email !== 'string' || email === '') {
      throw new ValidationError(this, 'identity', identity?.node?.path ?? identity, 'has no Google service account email (principalId)',
        'Pass a workload identity of a GKE cluster (GkeCluster.newWorkloadIdentity).');
    }
    const id = `${what}-${identity.node.addr.slice(0, 12)}`;
    if (this.members.has(id)) {
      return;
    }
    this.members.add(id);
    const { ArtifactRegistryRepositoryIamMember: Member } =
      loadGoogle<typeof import('@cdktf/provider-google/lib/artifact-registry-repository-iam-member')>('artifact-registry-repository-iam-member');
    const repos: Array<[string, ArtifactRegistryRepository]> = [['', this.resource], ...(this.drResource ? [['Dr', this.drResource] as [string, ArtifactRegistryRepository]] : [])];
    for (const [prefix, repo] of repos) {
      const member = new Member(this, `${prefix}${id}`, {
        provider: this.cloud.provider, project: this.cloud.projectId, location: repo.location, repository: repo.name,
        role, member: `serviceAccount:${email}`,
      });
      const candidate = identity as any;
      if (typeof candidate.addPrerequisite === 'function') {
        candidate.addPrerequisite(member);
      } else if (Array.isArray(candidate.prerequisites) && !Object.isFrozen(candidate.prerequisites)) {
        candidate.prerequisites.push(member);
      }
    }
  }
}
