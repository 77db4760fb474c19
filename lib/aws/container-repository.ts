import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { ContainerRepositoryOptions, IContainerRepository, IWorkloadIdentity } from '../core/interfaces';
import { checkInteger, claimUnique, isUnresolved } from '../core/validate';
import { AwsCloud, KeyPurpose } from './aws-cloud';
import { asAwsGrantee } from './grantee';

/** Properties of a {@link ContainerRepository}. */
export interface ContainerRepositoryProps extends ContainerRepositoryOptions {
  /** The cloud. */
  readonly cloud: AwsCloud;
}

const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * An ECR repository for serving images: immutable tags, scan on push, encrypted with the platform's key, a
 * lifecycle policy that expires untagged images and caps tagged ones, and never force-deleted.
 *
 * @example
 * const repo = cloud.newContainerRepository(this, 'Images', { repositoryName: 'fraud/serving' });
 */
export class ContainerRepository extends Construct implements IContainerRepository {
  /** The repository. */
  public readonly resource: EcrRepository;
  public readonly repositoryName: string;
  public readonly repositoryUrl: string;
  /** Repository ARN. */
  public readonly repositoryArn: string;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    if (!isUnresolved(props.repositoryName) && (typeof props.repositoryName !== 'string' || !REPOSITORY_NAME.test(props.repositoryName))) {
      throw new ValidationError(this, 'repositoryName', props.repositoryName,
        'is not a valid ECR repository name: 2-256 lower-case letters, digits, and "/", ".", "_" or "-" between them',
        'Use a name such as "fraud-models/serving".');
    }
    // ECR names are unique per account and region: a second repository of the same name fails the apply.
    claimUnique(this, 'repositoryName', props.repositoryName, 'ECR repository', props.repositoryName,
      'Give each repository its own name, e.g. "<project>/serving" and "<project>/training".');
    const untaggedDays = props.untaggedImageExpiryDays ?? 14;
    const maxImages = props.maxImageCount ?? 500;
    checkInteger(this, 'untaggedImageExpiryDays', untaggedDays, 1, 3650);
    checkInteger(this, 'maxImageCount', maxImages, 1, 10000);
    this.resource = new EcrRepository(this, 'Resource', {
      provider: props.cloud.provider,
      name: props.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: props.cloud.key(KeyPurpose.DATA).keyArn }],
      forceDelete: false,
    });
    this.repositoryName = this.resource.name;
    this.repositoryUrl = this.resource.repositoryUrl;
    this.repositoryArn = this.resource.arn;
    new EcrLifecyclePolicy(this, 'Lifecycle', {
      provider: props.cloud.provider,
      repository: this.resource.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1, description: `Expire untagged images after ${untaggedDays} days`,
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedDays },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2, description: `Keep the newest ${maxImages} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: maxImages },
            action: { type: 'expire' },
          },
        ],
      }),
    });
  }

  public grantPull(identity: IWorkloadIdentity): void {
    const grantee = asAwsGrantee(this, 'identity', identity);
    // GetAuthorizationToken cannot be scoped to a repository.
    grantee.addToPrincipalPolicy({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] });
    grantee.addToPrincipalPolicy({ actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], resources: [this.repositoryArn] });
  }

  public grantPush(identity: IWorkloadIdentity): void {
    this.grantPull(identity);
    asAwsGrantee(this, 'identity', identity).addToPrincipalPolicy({
      actions: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
      resources: [this.repositoryArn],
    });
  }
}
