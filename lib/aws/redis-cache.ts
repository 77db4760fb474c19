import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import * as crypto from 'crypto';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { DataStoreKind } from '../core/data-store-registry';
import { Duration } from '../core/duration';
import { ValidationError } from '../core/errors';
import { IKeyValueCache, IKubernetesCluster, KeyValueCacheClientOptions, KeyValueCacheCredentials } from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkDnsLabel, checkInteger, checkPattern, isUnresolved, slugify } from '../core/validate';
import { ManifestChart } from '../k8s/manifest-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { AwsCloud, KeyPurpose } from './aws-cloud';
import { IEksCluster } from './eks-cluster';
import { asAwsGrantee } from './grantee';
import { NamespaceSecretStore } from './namespace-secret-store';

/**
 * ElastiCache node types a RedisCache may use, with their memory in GiB (ElastiCache "Supported node types"). Every
 * one is priced in the AWS price catalog (`elasticache-valkey:<type>`) in every catalog region.
 */
export const REDIS_CACHE_NODE_TYPES: { readonly [nodeType: string]: number } = {
  'cache.t4g.medium': 3.09,
  'cache.m7g.large': 6.38,
  'cache.m7g.xlarge': 12.93,
  'cache.r7g.large': 13.07,
  'cache.r7g.xlarge': 26.32,
  'cache.r7g.2xlarge': 52.82,
};

/** Properties of a {@link RedisCache}. */
export interface RedisCacheProps {
  /** The cloud (provider, data key, stack). */
  readonly cloud: AwsCloud;
  /** Cluster whose pods use the cache: its private subnets hold the nodes and only its security group may connect. */
  readonly clients: IKubernetesCluster;
  /** Purpose, recorded in the report, tags and names, e.g. `feast-online`. */
  readonly purpose: string;
  /**
   * Node type (one of {@link REDIS_CACHE_NODE_TYPES}).
   *
   * @default 'cache.r7g.large'
   */
  readonly nodeType?: string;
  /**
   * Read replicas besides the primary, each in another availability zone (Multi-AZ needs at least one).
   *
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Valkey major.minor version.
   *
   * @default '8.0'
   */
  readonly engineVersion?: string;
  /**
   * Days of automatic daily snapshots to keep (1-35).
   *
   * @default 7
   */
  readonly snapshotRetentionDays?: number;
}

/** Image of the Job that turns AUTH on: the AWS CLI, pinned (runs as any user with HOME on a writable volume). */
export const AWS_CLI_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.27.50';

/** Namespace of the Jobs that set cache passwords: the only place with the right to change the caches. */
const CACHE_ADMIN_NAMESPACE = 'cache-admin';

/**
 * Turns AUTH on with the generated token, without Terraform ever holding it: ROTATE adds the token while
 * connections without one still work (the only way to add AUTH to a running group), SET then makes it the only
 * way in. Idempotent: a group that already requires a token gets SET again with the same one.
 */
const AUTH_SCRIPT = `set -eu
aws elasticache wait replication-group-available --replication-group-id "$GROUP_ID"
enabled="$(aws elasticache describe-replication-groups --replication-group-id "$GROUP_ID" --query 'ReplicationGroups[0].AuthTokenEnabled' --output text)"
if [ "$enabled" != "True" ]; then
  aws elasticache modify-replication-group --replication-group-id "$GROUP_ID" --auth-token "$AUTH_TOKEN" \\
    --auth-token-update-strategy ROTATE --apply-immediately > /dev/null
  aws elasticache wait replication-group-available --replication-group-id "$GROUP_ID"
fi
aws elasticache modify-replication-group --replication-group-id "$GROUP_ID" --auth-token "$AUTH_TOKEN" \\
  --auth-token-update-strategy SET --apply-immediately > /dev/null
aws elasticache wait replication-group-available --replication-group-id "$GROUP_ID"
echo "AUTH required on $GROUP_ID"
`;

/**
 * An ElastiCache for Valkey replication group: a primary and replicas in other availability zones with automatic
 * failover, TLS required in transit, encryption at rest with the platform's data key, daily snapshots, a parameter
 * group that never evicts (a feature store must not lose values silently), nodes in the cluster's private subnets
 * and a security group only the cluster may reach.
 *
 * Valkey rather than Redis OSS: the same protocol (redis-py and Feast speak it), 20% cheaper per node hour, and the
 * engine AWS develops. The AUTH token is generated by Secrets Manager through an ephemeral resource and written with a
 * write-only argument: the AWS provider this library is built against has no write-only `auth_token`, so Terraform
 * never sets it. A Job in the `cache-admin` namespace turns AUTH on with `modify-replication-group` as an identity
 * allowed to change this group only; clients get the token through a secret store scoped to their namespace.
 *
 * The cache is registered as a data store. ElastiCache has no AWS Backup support and its snapshots stay in the
 * region; the construct that fills the cache records how it is rebuilt in the DR region (FeatureStore:
 * re-materialization from the offline store). Alone, the DR proof fails, naming the cache.
 *
 * @example
 * const cache = new RedisCache(stack, 'OnlineStore', { cloud, clients: cluster, purpose: 'feast-online' });
 */
export class RedisCache extends Construct implements IKeyValueCache {
  /** The replication group. */
  public readonly resource: ElasticacheReplicationGroup;
  /** The Secrets Manager secret with the AUTH token (JSON property `token`). */
  public readonly tokenSecret: SecretsmanagerSecret;
  /** The security group of the nodes. */
  public readonly securityGroup: SecurityGroup;
  /** Host name of the primary endpoint (follows a failover). */
  public readonly host: string;
  /** Port (TLS only). */
  public readonly port: number = 6379;
  /** Clients must use TLS. */
  public readonly tls: boolean = true;
  /** Memory of one node in GiB (every node holds the whole data set). */
  public readonly memoryGiB: number;
  /** One line for the report. */
  public readonly description: string;
  /** Replication group ID. */
  public readonly replicationGroupId: string;
  /** Node type. */
  public readonly nodeType: string;
  /** Nodes in the group (primary and replicas). */
  public readonly nodeCount: number;
  private readonly cloud: AwsCloud;
  private readonly tokenVersion: SecretsmanagerSecretVersion;
  private readonly authJob: ManifestChart;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') {
      throw new ValidationError(this, 'props', props, 'are required', "Pass { cloud, clients: cluster, purpose: 'feast-online' }.");
    }
    if (!(props.cloud instanceof AwsCloud)) {
      throw new ValidationError(this, 'cloud', (props.cloud as any)?.node?.path ?? props.cloud, 'is not an AwsCloud', "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
    }
    const cloud = this.cloud = props.cloud;
    const cluster = asEksCluster(this, props.clients);
    checkPattern(this, 'purpose', props.purpose, /^[a-z][a-z0-9-]{0,29}$/, 'a lower-case name of up to 30 letters, digits or "-", e.g. "feast-online"');
    const nodeType = this.nodeType = props.nodeType ?? 'cache.r7g.large';
    if (!isUnresolved(nodeType) && REDIS_CACHE_NODE_TYPES[nodeType] === undefined) {
      throw new ValidationError(this, 'nodeType', nodeType, 'is not a node type this library prices and supports',
        `Use one of ${Object.keys(REDIS_CACHE_NODE_TYPES).join(', ')}.`);
    }
    const replicas = props.replicas ?? 1;
    checkInteger(this, 'replicas', replicas, 1, 5);
    const engineVersion = props.engineVersion ?? '8.0';
    checkPattern(this, 'engineVersion', engineVersion, /^(7\.2|8\.[0-9])$/, 'a Valkey version ElastiCache offers, 7.2 or 8.x (e.g. "8.0")');
    const retention = props.snapshotRetentionDays ?? 7;
    checkInteger(this, 'snapshotRetentionDays', retention, 1, 35);
    this.nodeCount = replicas + 1;
    this.memoryGiB = REDIS_CACHE_NODE_TYPES[nodeType] ?? 0;
    const provider = cloud.provider;
    const key = cloud.key(KeyPurpose.DATA);

    // 40 characters at most, a letter first, no double or trailing hyphen (ElastiCache's rule for group IDs).
    const groupId = this.replicationGroupId = slugify(`${cloud.namePrefix}-${props.purpose}`).slice(0, 40).replace(/-+$/, '');
    const subnets = new ElasticacheSubnetGroup(this, 'Subnets', {
      provider, name: groupId, description: `${props.purpose}: private subnets of ${cluster.clusterName}`, subnetIds: cluster.privateSubnetIds,
    });
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      provider, namePrefix: `${groupId}-cache-`, description: `Valkey for ${props.purpose}: cluster access only`,
      vpcId: subnets.vpcId, lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupIngressRule(this, 'FromCluster', {
      provider, securityGroupId: this.securityGroup.id, referencedSecurityGroupId: cluster.clusterSecurityGroupId,
      ipProtocol: 'tcp', fromPort: this.port, toPort: this.port, description: 'Valkey (TLS) from EKS pods and nodes',
    });
    const family = `valkey${engineVersion.split('.')[0]}`;
    const parameters = new ElasticacheParameterGroup(this, 'Parameters', {
      provider, name: `${groupId}-${family}`, family, description: `${props.purpose}: never evict keys`,
      // A full cache rejects writes (materialization fails loudly) rather than dropping feature values.
      parameter: [{ name: 'maxmemory-policy', value: 'noeviction' }],
    });

    this.tokenSecret = new SecretsmanagerSecret(this, 'AuthToken', {
      provider,
      namePrefix: `${groupId}/auth-token-`,
      description: `AUTH token of ElastiCache group ${groupId} (letters and digits; generated once, not rotated)`,
      kmsKeyId: key.keyArn,
      recoveryWindowInDays: 30,
    });
    PolicySuppressions.add(this.tokenSecret, [{
      id: 'CKV2_AWS_57',
      reason: 'Clients read the token once at start and ElastiCache AUTH rotation needs a ROTATE/SET sequence with every client ' +
        'updated in between, so Secrets Manager rotation would break them. Rotate on purpose: raise the secret version and re-run the AUTH Job.',
    }]);
    // Not in the prebuilt bindings: an ephemeral resource (Terraform >= 1.10) whose value is never stored.
    const generator = `${this.tokenSecret.friendlyUniqueId}_token`;
    PlatformStack.ofConstruct(this).addOverride(`ephemeral.aws_secretsmanager_random_password.${generator}`, {
      provider: provider.fqn, password_length: 64, exclude_punctuation: true, include_space: false, require_each_included_type: true,
    });
    this.tokenVersion = new SecretsmanagerSecretVersion(this, 'AuthTokenValue', {
      provider,
      secretId: this.tokenSecret.id,
      // Write-only (Terraform >= 1.11): sent to AWS, never kept in state or plan.
      secretStringWo: `\${jsonencode({ token = ephemeral.aws_secretsmanager_random_password.${generator}.random_password })}`,
      secretStringWoVersion: 1,
    });

    this.resource = new ElasticacheReplicationGroup(this, 'Resource', {
      provider,
      replicationGroupId: groupId,
      description: `${props.purpose} (Valkey, TLS, Multi-AZ)`,
      engine: 'valkey',
      engineVersion,
      nodeType,
      numCacheClusters: this.nodeCount,
      port: this.port,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: 'true',
      kmsKeyId: key.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      subnetGroupName: subnets.name,
      securityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameters.name,
      snapshotRetentionLimit: retention,
      snapshotWindow: '03:00-04:00',
      maintenanceWindow: 'sun:05:00-sun:06:00',
      autoMinorVersionUpgrade: 'true',
      applyImmediately: false,
      // Stamped with the creation time (then ignored) so a re-created group never collides with an old final snapshot.
      finalSnapshotIdentifier: `${groupId}-final-${Fn.formatdate('YYYYMMDDhhmmss', Fn.timestamp())}`,
      tags: { purpose: props.purpose },
      lifecycle: { ignoreChanges: ['final_snapshot_identifier'] },
    });
    PolicySuppressions.add(this.resource, [{
      id: 'CKV_AWS_31',
      reason: 'AUTH is required, but set by the cache-admin Job from Secrets Manager: the AWS provider has no write-only auth_token, ' +
        'and a token in the configuration would land in Terraform state.',
    }]);
    this.host = this.resource.primaryEndpointAddress;
    this.description = `ElastiCache for Valkey ${engineVersion}, ${nodeType} x${this.nodeCount} (Multi-AZ, automatic failover), TLS and AUTH required, ` +
      `encrypted at rest with the data key, daily snapshots kept ${retention} days`;
    this.authJob = this.enableAuth(cloud, cluster, groupId, key.keyArn);

    const stack = cloud.stack;
    stack.addCostLine({
      component: this.node.path, resource: `ElastiCache ${nodeType} nodes (Valkey, ${props.purpose})`, region: cloud.primaryRegion, unit: CostUnit.HOUR,
      baselineQuantity: HOURS_PER_MONTH * this.nodeCount, fullScaleQuantity: HOURS_PER_MONTH * this.nodeCount, priceKey: `elasticache-valkey:${nodeType}`,
      assumption: `${this.nodeCount} nodes (primary and ${replicas} replica(s)) x ${HOURS_PER_MONTH} h, on-demand; one snapshot's storage is free, older ones are not counted`,
    });
    stack.addCostLine({
      component: this.node.path, resource: `AUTH token secret (Secrets Manager, ${props.purpose})`, region: cloud.primaryRegion, unit: CostUnit.MONTH,
      baselineQuantity: 1, fullScaleQuantity: 1, priceKey: 'secretsmanager:secret', assumption: 'one secret; API calls not counted',
    });
    stack.dataStores.register({
      path: this.node.path, kind: DataStoreKind.DATABASE, purpose: props.purpose, resourceId: this.resource.arn,
      region: cloud.primaryRegion, backupServiceEligible: false, sizeGiB: Math.ceil(this.memoryGiB),
    });
    stack.dataStores.protect(this.node.path, {
      mechanism: 'ElastiCache automatic snapshots (daily, in the region)', rpo: Duration.hours(24), copyRegion: cloud.primaryRegion,
      copyRpo: Duration.hours(24), retention: Duration.days(retention),
    });
  }

  public addClient(scope: IConstruct, id: string, options: KeyValueCacheClientOptions): KeyValueCacheCredentials {
    const cluster = asEksCluster(this, options.cluster);
    checkDnsLabel(this, 'secretName', options.secretName, 'secret');
    const store = new NamespaceSecretStore(scope as Construct, id, {
      cluster,
      namespace: options.namespace,
      name: `${options.secretName}-store`.slice(0, 53).replace(/-+$/, ''),
      dependsOn: [this.tokenVersion, ...(options.dependsOn ?? [])],
      secrets: [{ secretName: options.secretName, secretArn: this.tokenSecret.arn, kmsKeyArn: this.cloud.key(KeyPurpose.DATA).keyArn, properties: ['token'] }],
    });
    return { secretName: options.secretName, passwordKey: 'token', prerequisites: [store.chart.resource, this.authJob.resource] };
  }

  /** The Job that turns AUTH on, as an identity that may change this group only, with the token synced beside it. */
  private enableAuth(cloud: AwsCloud, cluster: IEksCluster, groupId: string, keyArn: string): ManifestChart {
    const namespace = cacheAdminNamespace(cluster);
    const name = `${groupId}-auth`.slice(0, 45).replace(/-+$/, '');
    const tokenSecret = `${name}-token`;
    const secrets = new NamespaceSecretStore(this, 'AdminSecrets', {
      cluster, namespace: CACHE_ADMIN_NAMESPACE, name: `${name}-store`, dependsOn: [namespace.resource, this.tokenVersion],
      secrets: [{ secretName: tokenSecret, secretArn: this.tokenSecret.arn, kmsKeyArn: keyArn, properties: ['token'] }],
    });
    const identity = cluster.newWorkloadIdentity(this, 'AuthIdentity', { namespace: CACHE_ADMIN_NAMESPACE, serviceAccountName: name });
    asAwsGrantee(this, 'identity', identity).addToPrincipalPolicy({
      actions: ['elasticache:DescribeReplicationGroups', 'elasticache:ModifyReplicationGroup'], resources: [this.resource.arn],
    });
    const hash = crypto.createHash('sha256').update(AUTH_SCRIPT).update(groupId).digest('hex').slice(0, 8);
    return new ManifestChart(this, 'AuthJob', {
      cluster,
      releaseName: name,
      namespace: CACHE_ADMIN_NAMESPACE,
      dependsOn: [secrets.chart.resource, this.resource, namespace.resource, ...identity.prerequisites],
      waitForJobs: true,
      manifests: [
        {
          apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: { name, namespace: CACHE_ADMIN_NAMESPACE, ...(identity.serviceAccountAnnotations ? { annotations: identity.serviceAccountAnnotations } : {}) },
        },
        authJob(`${name}-${hash}`, name, tokenSecret, groupId, cloud.primaryRegion),
      ],
    });
  }
}

/** The Job that runs the AUTH script as a restricted pod. */
function authJob(jobName: string, serviceAccount: string, tokenSecret: string, groupId: string, region: string): any {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: jobName, namespace: CACHE_ADMIN_NAMESPACE },
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'cache-auth' } },
        spec: {
          restartPolicy: 'OnFailure',
          serviceAccountName: serviceAccount,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'auth',
            image: AWS_CLI_IMAGE,
            command: ['/bin/sh', '-c', AUTH_SCRIPT],
            env: [
              { name: 'GROUP_ID', value: groupId },
              { name: 'AWS_REGION', value: region },
              { name: 'AUTH_TOKEN', valueFrom: { secretKeyRef: { name: tokenSecret, key: 'token' } } },
              { name: 'HOME', value: '/tmp' },
            ],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

/** The `cache-admin` namespace of a cluster, created on first use. */
function cacheAdminNamespace(cluster: IEksCluster): PlatformNamespace {
  const existing = cluster.node.tryFindChild('CacheAdminNamespace');
  return (existing as PlatformNamespace) ?? new PlatformNamespace(cluster as unknown as Construct, 'CacheAdminNamespace', {
    cluster, name: CACHE_ADMIN_NAMESPACE,
  });
}

function asEksCluster(scope: Construct, cluster: IKubernetesCluster): IEksCluster {
  const candidate = cluster as any;
  if (!candidate || !Array.isArray(candidate.privateSubnetIds) || candidate.clusterSecurityGroupId === undefined) {
    throw new ValidationError(scope, 'clients', cluster?.node?.path ?? cluster, 'is not an EKS cluster',
      'Pass an EksCluster, or EksCluster.fromClusterAttributes(...) for a cluster created elsewhere.');
  }
  return candidate as IEksCluster;
}
