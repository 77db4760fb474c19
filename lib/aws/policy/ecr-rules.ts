/* ECR repository rules: immutable tags, scanning, KMS encryption and image lifecycle. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { attachedTo, firstBlock, forbidTrue, isTrue, rule, shown } from './rule';

const REPOSITORY = ['aws_ecr_repository'];

export const ECR_RULES: IPolicyRule[] = [
  rule('CKV_AWS_51', PolicyLevel.ERROR, 'ECR repositories must have immutable image tags, so a deployed tag always means the same image.', REPOSITORY,
    (repo) => {
      const mutability = repo.config.image_tag_mutability;
      return ['IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION'].includes(mutability)
        ? undefined : `image_tag_mutability is ${mutability === undefined ? 'not set (defaults to MUTABLE)' : shown(mutability)}, not "IMMUTABLE"`;
    }),

  rule('CKV_AWS_163', PolicyLevel.ERROR, 'ECR repositories must scan images on push.', REPOSITORY,
    (repo) => isTrue(firstBlock(repo.config, 'image_scanning_configuration')?.scan_on_push)
      ? undefined : 'image_scanning_configuration.scan_on_push is not true'),

  rule('CKV_AWS_136', PolicyLevel.ERROR, 'ECR repositories must be encrypted with KMS.', REPOSITORY,
    (repo) => {
      const type = firstBlock(repo.config, 'encryption_configuration')?.encryption_type;
      return ['KMS', 'KMS_DSSE'].includes(type) ? undefined : `encryption_configuration.encryption_type is ${shown(type)}, not "KMS"`;
    }),

  rule('MLOPS_ECR_LIFECYCLE', PolicyLevel.ERROR, 'ECR repositories must have a lifecycle policy, so old images do not pile up storage cost.', REPOSITORY,
    (repo, context) => attachedTo(context, 'aws_ecr_lifecycle_policy', repo, 'repository', 'name').length > 0
      ? undefined : 'no aws_ecr_lifecycle_policy references the repository'),

  rule('MLOPS_ECR_FORCE_DELETE', PolicyLevel.ERROR, 'ECR repositories must not set force_delete, which lets terraform destroy delete every image.',
    REPOSITORY, (repo) => forbidTrue(repo.config, 'force_delete')),
];
