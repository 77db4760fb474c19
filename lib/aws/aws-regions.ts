import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { isUnresolved } from '../core/validate';

/*
 * The AWS regions per partition, as the AWS SDKs' partition metadata lists them in November 2026 (botocore
 * 1.43 / aws-sdk-go-v2 1.41). A region missing here is either a typo or one that opened later: add it here when
 * AWS opens one. Opt-in regions (af-south-1, ap-east-1, ...) are real regions and are accepted; whether the
 * account has enabled them is only known at apply time.
 */

/** Region names of each AWS partition. */
export const AWS_REGIONS_BY_PARTITION: { readonly [partition: string]: readonly string[] } = {
  'aws': [
    'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    'af-south-1',
    'ap-east-1', 'ap-east-2',
    'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
    'ap-south-1', 'ap-south-2',
    'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
    'ca-central-1', 'ca-west-1',
    'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3',
    'il-central-1',
    'me-central-1', 'me-south-1',
    'mx-central-1',
    'sa-east-1',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-iso': ['us-iso-east-1', 'us-iso-west-1'],
  'aws-iso-b': ['us-isob-east-1', 'us-isob-west-1'],
  'aws-iso-e': ['eu-isoe-west-1'],
  'aws-iso-f': ['us-isof-east-1', 'us-isof-south-1'],
  'aws-eusc': ['eusc-de-east-1'],
};

const PARTITION_OF = new Map<string, string>(
  Object.entries(AWS_REGIONS_BY_PARTITION).flatMap(([partition, regions]) => regions.map((r) => [r, partition] as [string, string])),
);

/** Every AWS partition ID (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ...). */
export const AWS_PARTITIONS: readonly string[] = Object.keys(AWS_REGIONS_BY_PARTITION);

/** The partition a region belongs to, or undefined when the region is not a known AWS region. */
export function awsPartitionOf(region: string): string | undefined {
  return typeof region === 'string' ? PARTITION_OF.get(region) : undefined;
}

/** Known regions that look like `region` (same prefix), for a "did you mean" hint. */
function similarRegions(region: string): string[] {
  const prefix = typeof region === 'string' ? region.toLowerCase().trim().split('-').slice(0, 2).join('-') : '';
  const all = [...PARTITION_OF.keys()];
  const near = all.filter((r) => prefix !== '' && r.startsWith(prefix));
  return near.length > 0 ? near : [];
}

/**
 * Throws unless `value` is a known AWS region. `scope`/`prop` name where the value was given (e.g. the stack's
 * `primaryRegion`).
 */
export function checkKnownAwsRegion(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  if (awsPartitionOf(value) === undefined) {
    const near = similarRegions(value);
    throw new ValidationError(scope, prop, value, 'is not an AWS region',
      near.length > 0 ? `Use one of ${near.join(', ')}.`
        : `Use a region of one of the partitions: ${AWS_PARTITIONS.map((p) => `${p} (${AWS_REGIONS_BY_PARTITION[p].slice(0, 3).join(', ')}${AWS_REGIONS_BY_PARTITION[p].length > 3 ? ', ...' : ''})`).join('; ')}.`);
  }
}

/**
 * Throws unless the primary and DR regions are both known AWS regions of the same partition (a provider's
 * credentials work in one partition only, and cross-partition replication and backup copies do not exist).
 */
export function checkAwsRegionPair(scope: IConstruct, primaryRegion: string, drRegion: string): void {
  checkKnownAwsRegion(scope, 'primaryRegion', primaryRegion);
  checkKnownAwsRegion(scope, 'recoveryObjective.drRegion', drRegion);
  if (isUnresolved(primaryRegion) || isUnresolved(drRegion)) {
    return;
  }
  const primaryPartition = awsPartitionOf(primaryRegion)!;
  const drPartition = awsPartitionOf(drRegion)!;
  if (primaryPartition !== drPartition) {
    const candidates = AWS_REGIONS_BY_PARTITION[primaryPartition].filter((r) => r !== primaryRegion);
    throw new ValidationError(scope, 'recoveryObjective.drRegion', drRegion,
      `is in partition ${drPartition}, and the primary region ${primaryRegion} is in ${primaryPartition}: backups and replicas cannot cross partitions`,
      candidates.length > 0 ? `Choose a DR region of ${primaryPartition}: ${candidates.join(', ')}.`
        : `Partition ${primaryPartition} has one region only: keep DR copies outside this library.`);
  }
  if (primaryRegion === drRegion) {
    throw new ValidationError(scope, 'recoveryObjective.drRegion', drRegion, 'is the same as the primary region',
      `Choose another region of ${primaryPartition} for disaster-recovery copies.`);
  }
}
