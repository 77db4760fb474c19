import { Annotations } from 'cdktf';
import { IConstruct } from 'constructs';
import * as crypto from 'crypto';
import { ValidationError } from '../core/errors';
import { checkPattern, checkUnique, claimSingleton, isUnresolved, requireConstruct, requireList } from '../core/validate';
import { AWS_PARTITIONS, checkAwsRegionPair } from './aws-regions';

/*
 * Dated catalogs of what AWS accepts, and the checks built on them, so a typo or an impossible value fails at
 * synth with the list of valid ones instead of minutes into an apply. Each table says where it comes from; update
 * it when AWS adds a value (a value missing here is rejected).
 */

// ---------------------------------------------------------------------------------------------------------------
// EKS Kubernetes versions
// ---------------------------------------------------------------------------------------------------------------

/** A Kubernetes minor version on EKS and when its standard support ends. */
export interface EksKubernetesVersion {
  /** `1.<minor>`. */
  readonly version: string;
  /** Release on EKS (YYYY-MM-DD). */
  readonly released: string;
  /** End of standard support (YYYY-MM-DD); extended support afterwards costs 6x per cluster hour. */
  readonly endOfStandardSupport: string;
}

/**
 * The versions EKS offers in standard support, as of 2026-11, that this library accepts. 1.34 is still in standard
 * support but leaves it on 2026-12-02 (MIN_KUBERNETES_MINOR in eks-cluster.ts keeps new clusters off it). 1.35:
 * EKS release calendar (released 2026-01-28, standard support to 2027-03-27). 1.36: on EKS since 2026-06-02,
 * standard support to 2027-08-02 (14 months). Nothing newer is listed: a version EKS does not offer yet fails the
 * CreateCluster call, so it is rejected here; add it when the EKS calendar lists it.
 */
export const EKS_KUBERNETES_VERSIONS: readonly EksKubernetesVersion[] = [
  { version: '1.34', released: '2025-10-02', endOfStandardSupport: '2026-12-02' },
  { version: '1.35', released: '2026-01-28', endOfStandardSupport: '2027-03-27' },
  { version: '1.36', released: '2026-06-02', endOfStandardSupport: '2027-08-02' },
];

/**
 * Throws unless `version` is one EKS offers in standard support with a minor of at least `minMinor`, naming
 * the accepted versions.
 */
export function checkEksKubernetesVersion(scope: IConstruct, prop: string, version: string, minMinor: number): void {
  if (isUnresolved(version)) {
    return;
  }
  const accepted = EKS_KUBERNETES_VERSIONS.filter((v) => Number(v.version.split('.')[1]) >= minMinor).map((v) => v.version);
  if (typeof version === 'string' && accepted.includes(version)) {
    return;
  }
  const match = typeof version === 'string' ? /^1\.([1-9]\d*)$/.exec(version) : null;
  const minor = match ? Number(match[1]) : undefined;
  const newest = accepted[accepted.length - 1];
  const problem = minor === undefined ? `must be 1.${minMinor} or newer, in the form "1.<minor>"`
    : minor < minMinor ? `must be 1.${minMinor} or newer`
      : `must be 1.${minMinor} or newer, and EKS does not offer ${version} in standard support yet`;
  const fix = minor !== undefined && minor < minMinor
    ? `Use "1.${minMinor}": older versions leave standard support and extended support costs 6x per cluster hour. Supported: ${accepted.join(', ')}.`
    : `Use one of ${accepted.join(', ')} (newest: "${newest}").`;
  throw new ValidationError(scope, prop, version, problem, fix);
}

// ---------------------------------------------------------------------------------------------------------------
// EC2 instance types for the system node group (AMI AL2023_x86_64_STANDARD)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Current x86_64 general-purpose, compute and memory families and their sizes, from the EC2 API's InstanceType
 * list (botocore 1.43, November 2026). GPU, accelerator, storage and previous-generation families are left out:
 * they are not system nodes.
 */
const X86_SYSTEM_FAMILIES: { readonly [family: string]: string } = {
  'c5': 'large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal',
  'c5a': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge',
  'c5ad': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge',
  'c5d': 'large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal',
  'c5n': 'large xlarge 2xlarge 4xlarge 9xlarge 18xlarge metal',
  'c6a': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal',
  'c6i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'c6id': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'c6in': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'c7a': 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl',
  'c7i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl',
  'c7i-flex': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge',
  'c8a': 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl',
  'c8i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl',
  'c8i-flex': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge',
  'c8id': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl',
  'm5': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'm5a': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge',
  'm5ad': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge',
  'm5d': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'm5dn': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'm5n': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'm5zn': 'large xlarge 2xlarge 3xlarge 6xlarge 12xlarge metal',
  'm6a': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal',
  'm6i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'm6id': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'm6idn': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'm6in': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'm7a': 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl',
  'm7i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl',
  'm7i-flex': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge',
  'm8a': 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl',
  'm8azn': 'medium large xlarge 3xlarge 6xlarge 12xlarge 24xlarge metal-12xl metal-24xl',
  'm8i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl',
  'm8i-flex': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge',
  'm8id': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl',
  'r5': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'r5a': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge',
  'r5ad': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge',
  'r5b': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'r5d': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'r5dn': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'r5n': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal',
  'r6a': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal',
  'r6i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'r6id': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'r6idn': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'r6in': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal',
  'r7a': 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl',
  'r7i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl',
  'r7iz': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 32xlarge metal-16xl metal-32xl',
  'r8a': 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl',
  'r8i': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl',
  'r8i-flex': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge',
  'r8id': 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl',
  't3': 'nano micro small medium large xlarge 2xlarge',
  't3a': 'nano micro small medium large xlarge 2xlarge',
};

/** True for an AWS Graviton (ARM64) instance type: a1, and families with a "g" after the generation (m7g, c6gn, t4g, r8gd, g5g). */
export function isGravitonInstanceType(instanceType: string): boolean {
  return typeof instanceType === 'string' && /^(a1|[a-z]+\d+g[a-z]*)\./.test(instanceType);
}

/** Whether an x86 instance type is in the system node catalog. */
export function isKnownSystemInstanceType(instanceType: string): boolean {
  const [family, size] = typeof instanceType === 'string' ? instanceType.split('.', 2) : [];
  return size !== undefined && (X86_SYSTEM_FAMILIES[family]?.split(' ') ?? []).includes(size);
}

/** Families of the system node catalog. */
export function systemInstanceFamilies(): string[] {
  return Object.keys(X86_SYSTEM_FAMILIES);
}

const TOO_SMALL_FOR_SYSTEM = ['nano', 'micro', 'small'];

/**
 * Throws unless `instanceType` runs the x86_64 AL2023 AMI of the system node group and is in the catalog; warns
 * when it is too small for the add-ons.
 */
export function checkSystemNodeInstanceType(scope: IConstruct, prop: string, instanceType: string): void {
  if (isUnresolved(instanceType)) {
    return;
  }
  if (isGravitonInstanceType(instanceType)) {
    throw new ValidationError(scope, prop, instanceType, 'is an ARM (Graviton) instance type, and system nodes run the x86_64 AMI AL2023_x86_64_STANDARD',
      'Use an x86 type such as "m7i.large", "m7a.large" or "m6i.large".');
  }
  if (!isKnownSystemInstanceType(instanceType)) {
    const family = typeof instanceType === 'string' ? instanceType.split('.')[0] : '';
    const sizes = X86_SYSTEM_FAMILIES[family];
    throw new ValidationError(scope, prop, instanceType, 'is not a known x86 general-purpose, compute or memory instance type for system nodes',
      sizes ? `Sizes of ${family}: ${sizes.split(' ').map((s) => `${family}.${s}`).join(', ')}.`
        : `Use a size of one of the families ${systemInstanceFamilies().join(', ')}, e.g. "m7i.large".`);
  }
  if (TOO_SMALL_FOR_SYSTEM.includes(instanceType.split('.')[1])) {
    Annotations.of(scope).addWarning(`${prop} "${instanceType}" has too little memory and too few pod IPs for the cluster add-ons ` +
      '(CoreDNS, EBS CSI, autoscaler, GPU operator): use at least a "medium", better a "large".');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// RDS for PostgreSQL instance classes
// ---------------------------------------------------------------------------------------------------------------

const RDS_SIZES_T = 'micro small medium large xlarge 2xlarge';
const RDS_SIZES_16 = 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge';
const RDS_SIZES_24 = `${RDS_SIZES_16} 24xlarge`;
const RDS_SIZES_32 = `${RDS_SIZES_24} 32xlarge`;
const RDS_SIZES_48 = `${RDS_SIZES_24} 48xlarge`;

/**
 * Instance classes RDS for PostgreSQL (Multi-AZ DB instance deployments, PostgreSQL 14-18) offers, from the RDS
 * User Guide's "Supported DB engines for DB instance classes" (November 2026). Previous generations (db.m4,
 * db.r4, db.t2) no longer run current PostgreSQL versions; db.c6gd is for Multi-AZ DB clusters only; db.serverless
 * is Aurora.
 */
const RDS_POSTGRES_CLASSES: { readonly [family: string]: string } = {
  't3': RDS_SIZES_T, 't4g': RDS_SIZES_T,
  'm5': RDS_SIZES_24, 'm5d': RDS_SIZES_24,
  'm6g': RDS_SIZES_16, 'm6gd': RDS_SIZES_16,
  'm6i': RDS_SIZES_32, 'm6id': RDS_SIZES_32, 'm6in': RDS_SIZES_32, 'm6idn': RDS_SIZES_32,
  'm7g': RDS_SIZES_16, 'm7i': RDS_SIZES_48,
  'm8g': RDS_SIZES_48, 'm8gd': RDS_SIZES_48,
  'r5': RDS_SIZES_24, 'r5b': RDS_SIZES_24, 'r5d': RDS_SIZES_24,
  'r6g': RDS_SIZES_16, 'r6gd': RDS_SIZES_16,
  'r6i': RDS_SIZES_32, 'r6id': RDS_SIZES_32, 'r6in': RDS_SIZES_32, 'r6idn': RDS_SIZES_32,
  'r7g': RDS_SIZES_16, 'r7i': RDS_SIZES_48,
  'r8g': RDS_SIZES_48, 'r8gd': RDS_SIZES_48,
  'x2g': RDS_SIZES_16, 'x2iedn': 'xlarge 2xlarge 4xlarge 8xlarge 16xlarge 24xlarge 32xlarge',
};

/** Whether `instanceClass` is an RDS for PostgreSQL instance class in the catalog. */
export function isRdsPostgresInstanceClass(instanceClass: string): boolean {
  const match = typeof instanceClass === 'string' ? /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass) : null;
  return match !== null && (RDS_POSTGRES_CLASSES[match[1]]?.split(' ') ?? []).includes(match[2]);
}

/** Throws unless `instanceClass` is an RDS for PostgreSQL instance class. */
export function checkRdsPostgresInstanceClass(scope: IConstruct, prop: string, instanceClass: string | undefined): void {
  if (instanceClass === undefined || isUnresolved(instanceClass)) {
    return;
  }
  checkPattern(scope, prop, instanceClass, /^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'an RDS instance class such as "db.m7g.large"');
  if (!isRdsPostgresInstanceClass(instanceClass)) {
    const family = instanceClass.split('.')[1];
    const sizes = RDS_POSTGRES_CLASSES[family];
    throw new ValidationError(scope, prop, instanceClass, 'is not an instance class RDS for PostgreSQL offers',
      sizes ? `Sizes of db.${family}: ${sizes.split(' ').map((s) => `db.${family}.${s}`).join(', ')}.`
        : `Use a class of one of ${Object.keys(RDS_POSTGRES_CLASSES).map((f) => `db.${f}`).join(', ')}, e.g. "db.m7g.large".`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// AWS Budgets limits
// ---------------------------------------------------------------------------------------------------------------

/** AWS Budgets: email subscribers per notification. */
export const BUDGET_MAX_EMAIL_SUBSCRIBERS = 10;
/** AWS Budgets: notifications per budget. */
export const BUDGET_MAX_NOTIFICATIONS = 5;

/** Throws when a budget would have more email subscribers or notifications than AWS Budgets allows. */
export function checkBudgetLimits(scope: IConstruct, emailsProp: string, emails: string[], thresholdsProp: string, notificationCount: number): void {
  if (Array.isArray(emails) && emails.length > BUDGET_MAX_EMAIL_SUBSCRIBERS) {
    throw new ValidationError(scope, emailsProp, `${emails.length} addresses`,
      `lists more than the ${BUDGET_MAX_EMAIL_SUBSCRIBERS} email subscribers AWS Budgets allows per notification`,
      `List at most ${BUDGET_MAX_EMAIL_SUBSCRIBERS}; use a distribution list for a larger audience.`);
  }
  if (notificationCount > BUDGET_MAX_NOTIFICATIONS) {
    throw new ValidationError(scope, thresholdsProp, `${notificationCount} notifications`,
      `adds up to more than the ${BUDGET_MAX_NOTIFICATIONS} notifications AWS Budgets allows per budget (one per actual and per forecast threshold)`,
      `Keep at most ${BUDGET_MAX_NOTIFICATIONS} thresholds in actualThresholdsPercent and forecastThresholdsPercent together, e.g. [50, 80, 100] and [100].`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Account IDs, ARNs and resource IDs
// ---------------------------------------------------------------------------------------------------------------

const PARTITION = `(?:${AWS_PARTITIONS.map((p) => p.replace(/-/g, '\\-')).join('|')})`;
const IAM_PRINCIPAL_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(?:role|user)/[\\w+=,.@/-]{1,512}$`);
const ASSUMED_ROLE_ARN = new RegExp(`^arn:(${PARTITION}):sts::(\\d{12}):assumed-role/([\\w+=,.@-]+)/[^/]+$`);
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$`);

/** Throws unless `value` is a 12-digit AWS account ID. */
export function checkAccountId(scope: IConstruct, prop: string, value: string): void {
  if (isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !/^\d{12}$/.test(value)) {
    throw new ValidationError(scope, prop, value, 'is not an AWS account ID (exactly 12 digits)',
      'Copy the ID with `aws sts get-caller-identity --query Account --output text`; keep leading zeros and write it as a string.');
  }
}

/** Throws unless `value` is an IAM role or user ARN (an EKS access entry principal), explaining STS session ARNs. */
export function checkIamPrincipalArn(scope: IConstruct, prop: string, value: string): void {
  if (isUnresolved(value)) {
    return;
  }
  const assumed = typeof value === 'string' ? ASSUMED_ROLE_ARN.exec(value) : null;
  if (assumed) {
    throw new ValidationError(scope, prop, value, 'is an STS assumed-role session ARN, which EKS access entries do not accept',
      `Use the IAM role ARN: "arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}" (add the role's path if it has one; ` +
      '`aws iam get-role --role-name <name>` shows it).');
  }
  if (typeof value !== 'string' || !IAM_PRINCIPAL_ARN.test(value)) {
    throw new ValidationError(scope, prop, value, 'is not an IAM role or user ARN (arn:<partition>:iam::<12-digit account>:role/<name>)',
      'Use e.g. "arn:aws:iam::111122223333:role/platform-admins".');
  }
}

/** Throws unless `value` is an IAM role ARN. */
export function checkIamRoleArn(scope: IConstruct, prop: string, value: string): void {
  if (isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !ROLE_ARN.test(value)) {
    throw new ValidationError(scope, prop, value, 'is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)',
      'Use e.g. "arn:aws:iam::111122223333:role/eks-nodes".');
  }
}

/** Throws unless `value` is an EC2 capacity reservation ID (`cr-` and 17 hexadecimal digits). */
export function checkCapacityReservationId(scope: IConstruct, prop: string, value: string | undefined): void {
  checkPattern(scope, prop, value, /^cr-[0-9a-f]{17}$/, 'an EC2 capacity reservation ID: "cr-" and 17 lower-case hexadecimal digits, e.g. "cr-0123456789abcdef0"');
}

// ---------------------------------------------------------------------------------------------------------------
// Attributes of an imported EKS cluster
// ---------------------------------------------------------------------------------------------------------------

/** Why base64 certificate-authority data is not a PEM certificate, or undefined when it is one. */
export function certificateAuthorityProblem(data: string): string | undefined {
  const compact = typeof data === 'string' ? data.replace(/\s+/g, '') : '';
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    return 'is not base64';
  }
  const pem = Buffer.from(compact, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    return 'is base64, but not of a PEM certificate ("-----BEGIN CERTIFICATE-----" missing)';
  }
  if (!pem.includes('-----END CERTIFICATE-----')) {
    return 'is base64 of a truncated PEM certificate ("-----END CERTIFICATE-----" missing)';
  }
  try {
    new crypto.X509Certificate(pem);
  } catch {
    return 'is base64 of a PEM block that is not a valid X.509 certificate';
  }
  return undefined;
}

/** The attributes ImportedEksCluster reads, checked for form. */
export interface ImportedClusterAttributeValues {
  readonly cloud: unknown;
  readonly clusterName: string;
  readonly endpoint?: string;
  readonly certificateAuthorityData?: string;
  readonly openIdConnectProviderArn?: string;
  readonly existingNamespaces?: string[];
  readonly privateSubnetIds: string[];
  readonly clusterSecurityGroupId: string;
  readonly nodeRoleArn: string;
}

/**
 * Throws unless the attributes of a cluster created elsewhere have the form AWS gives them: an https endpoint,
 * base64 of a PEM CA certificate, subnet and security group IDs, an IAM role ARN.
 */
export function checkImportedClusterAttributes(scope: IConstruct, attrs: ImportedClusterAttributeValues, isCloud: (v: any) => boolean): void {
  requireConstruct(scope, 'cloud', attrs.cloud, 'the AwsCloud of this stack', isCloud, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
  checkPattern(scope, 'clusterName', attrs.clusterName, /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, '1-100 letters, digits, "-" or "_", starting with a letter or digit');
  checkPattern(scope, 'endpoint', attrs.endpoint, /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/, 'an https:// URL of the API server, e.g. "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com"');
  if (attrs.certificateAuthorityData !== undefined && !isUnresolved(attrs.certificateAuthorityData)) {
    const problem = certificateAuthorityProblem(attrs.certificateAuthorityData);
    if (problem !== undefined) {
      throw new ValidationError(scope, 'certificateAuthorityData', typeof attrs.certificateAuthorityData === 'string' && attrs.certificateAuthorityData.length > 80 ? `${attrs.certificateAuthorityData.slice(0, 60)}...` : attrs.certificateAuthorityData,
        problem, 'Pass the whole value of `aws eks describe-cluster --name <cluster> --query cluster.certificateAuthority.data --output text`.');
    }
  }
  requireList(scope, 'privateSubnetIds', attrs.privateSubnetIds, { required: true, minLength: 1, example: "['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788']" });
  (Array.isArray(attrs.privateSubnetIds) ? attrs.privateSubnetIds : []).forEach((id, i) => checkPattern(scope, `privateSubnetIds[${i}]`, id, /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/,
    'a subnet ID: "subnet-" and 8 or 17 hexadecimal digits'));
  checkPattern(scope, 'clusterSecurityGroupId', attrs.clusterSecurityGroupId, /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/,
    'a security group ID: "sg-" and 8 or 17 hexadecimal digits');
  checkIamRoleArn(scope, 'nodeRoleArn', attrs.nodeRoleArn);
  checkPattern(scope, 'openIdConnectProviderArn', attrs.openIdConnectProviderArn, new RegExp(`^arn:${PARTITION}:iam::\\d{12}:oidc-provider/\\S+$`),
    'an IAM OIDC provider ARN: arn:<partition>:iam::<12-digit account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>');
  requireList(scope, 'existingNamespaces', attrs.existingNamespaces, { example: "['external-secrets']" });
}

// ---------------------------------------------------------------------------------------------------------------
// AwsCloud
// ---------------------------------------------------------------------------------------------------------------

/** Checks an AwsCloud's props and the stack's regions against the AWS region table. */
export function validateAwsCloudInput(scope: IConstruct, stack: IConstruct & { primaryRegion: string; recoveryObjective: { drRegion: string } },
  props: { allowedAccountIds?: string[] } | undefined): void {
  if (props !== undefined && (props === null || typeof props !== 'object' || Array.isArray(props))) {
    throw new ValidationError(scope, 'props', props, 'must be an object of properties', "Pass e.g. { allowedAccountIds: ['111122223333'] }, or nothing.");
  }
  claimSingleton(scope, 'AwsCloud', 'Create one AwsCloud per stack and pass it to every construct; an AwsMlopsPlatform creates its own (use platform.cloud).');
  checkAwsRegionPair(stack, stack.primaryRegion, stack.recoveryObjective.drRegion);
  const ids = props?.allowedAccountIds;
  requireList(scope, 'allowedAccountIds', ids, { minLength: 1, example: "['111122223333']" });
  (Array.isArray(ids) ? ids : []).forEach((id, i) => checkAccountId(scope, `allowedAccountIds[${i}]`, id));
  if (Array.isArray(ids)) {
    checkUnique(scope, 'allowedAccountIds', ids);
  }
}
