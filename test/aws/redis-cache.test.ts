import { App } from 'cdktf';
import { AwsPriceCatalog } from '../../lib/aws/aws-price-catalog';
import { REDIS_CACHE_NODE_TYPES, RedisCache, RedisCacheProps } from '../../lib/aws/redis-cache';
import { BackupPolicy } from '../../lib/backup-policy';
import {
  expectValidationError, helmRelease, leaves, manifestObjects, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType,
} from '../helpers';

describe('RedisCache', () => {
  let report: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const cache = new RedisCache(stack, 'Cache', { cloud, clients: cluster, purpose: 'feast-online' });
    cache.addClient(stack, 'Client', { cluster, namespace: 'apps', secretName: 'cache-auth' });
    new BackupPolicy(stack, 'Backups', { cloud });
    try {
      app.synth();
    } catch {
      // Alone, the cache has no copy outside its region: the DR proof fails (asserted below).
    }
    ({ report } = readStackOutput(app.outdir, 'test'));
  });

  test('alone it fails the DR proof, naming the cache: snapshots stay in the region and nothing rebuilds it elsewhere', () => {
    expect(report.status).toBe('failed');
    expect(report.failure ?? JSON.stringify(report)).toMatch(/data store test\/Cache \(feast-online\) has no copy outside its region us-east-1/);
    const store = report.dataStores.find((s: any) => s.path === 'test/Cache');
    expect(store).toMatchObject({ kind: 'DATABASE', purpose: 'feast-online', region: 'us-east-1' });
    expect(store.protections).toEqual([expect.objectContaining({
      mechanism: 'ElastiCache automatic snapshots (daily, in the region)', copyRegion: 'us-east-1', rpoMinutes: 1440, retentionDays: 7,
    })]);
  });
});

describe('RedisCache resources', () => {
  let json: any;
  let dir: string;
  let report: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const cache = new RedisCache(stack, 'Cache', { cloud, clients: cluster, purpose: 'feast-online' });
    cache.addClient(stack, 'Client', { cluster, namespace: 'apps', secretName: 'cache-auth' });
    // Something else covers the copy outside the region (FeatureStore does in the platform).
    stack.dataStores.addCoverage({
      protectionFor: (store) => (store.path === 'test/Cache' ? {
        mechanism: 'test copy', rpo: (stack.recoveryObjective.rpo), copyRegion: 'us-west-2', copyRpo: stack.recoveryObjective.rpo,
        retention: stack.recoveryObjective.retention, restore: { kind: 'SNAPSHOT' as any, summary: 'test', steps: [] },
      } : undefined),
    });
    new BackupPolicy(stack, 'Backups', { cloud });
    app.synth();
    ({ json, dir, report } = readStackOutput(app.outdir, 'test'));
  });

  const group = () => resourceAt(json, 'aws_elasticache_replication_group', 'test/Cache/Resource');

  test('a Valkey replication group: Multi-AZ with automatic failover, TLS required, encrypted at rest with the data key, snapshots', () => {
    expect(group()).toMatchObject({
      engine: 'valkey', engine_version: '8.0', node_type: 'cache.r7g.large', num_cache_clusters: 2, port: 6379,
      automatic_failover_enabled: true, multi_az_enabled: true,
      at_rest_encryption_enabled: 'true', kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn'),
      transit_encryption_enabled: true, transit_encryption_mode: 'required',
      snapshot_retention_limit: 7, auto_minor_version_upgrade: 'true', replication_group_id: 'fraud-prod-feast-online',
      subnet_group_name: refTo(json, 'aws_elasticache_subnet_group', 'test/Cache/Subnets', 'name'),
      parameter_group_name: refTo(json, 'aws_elasticache_parameter_group', 'test/Cache/Parameters', 'name'),
      security_group_ids: [refTo(json, 'aws_security_group', 'test/Cache/SecurityGroup', 'id')],
      tags: { purpose: 'feast-online' },
      lifecycle: { ignore_changes: ['final_snapshot_identifier'] },
    });
    expect(group().final_snapshot_identifier).toMatch(/^fraud-prod-feast-online-final-\$\{formatdate/);
  });

  test('nodes in the private subnets; only the cluster security group may connect, on 6379', () => {
    const subnets = resourceAt(json, 'aws_elasticache_subnet_group', 'test/Cache/Subnets').subnet_ids;
    expect(subnets.length).toBeGreaterThanOrEqual(2);
    for (const subnet of subnets) {
      expect(subnet).toMatch(/^\$\{aws_subnet\.Network_Private/);
    }
    const ingress = resourcesOfType(json, 'aws_vpc_security_group_ingress_rule')
      .filter((r) => r.security_group_id === refTo(json, 'aws_security_group', 'test/Cache/SecurityGroup', 'id'));
    expect(ingress).toEqual([expect.objectContaining({ ip_protocol: 'tcp', from_port: 6379, to_port: 6379 })]);
    expect(ingress[0].referenced_security_group_id).toMatch(/aws_eks_cluster\..*vpc_config\[0\]\.cluster_security_group_id|cluster_security_group_id/);
    expect(ingress[0].cidr_ipv4).toBeUndefined();
  });

  test('the parameter group never evicts keys', () => {
    expect(resourceAt(json, 'aws_elasticache_parameter_group', 'test/Cache/Parameters')).toMatchObject({
      family: 'valkey8', parameter: [{ name: 'maxmemory-policy', value: 'noeviction' }],
    });
  });

  test('the AUTH token is never in configuration, state or Helm values: generated ephemerally, written write-only', () => {
    expect(group().auth_token).toBeUndefined();
    const [name] = Object.keys(json.ephemeral.aws_secretsmanager_random_password).filter((n) => n.startsWith('Cache_AuthToken'));
    expect(json.ephemeral.aws_secretsmanager_random_password[name]).toMatchObject({ exclude_punctuation: true, password_length: 64 });
    const version = resourceAt(json, 'aws_secretsmanager_secret_version', 'test/Cache/AuthTokenValue');
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo).toBe(`\${jsonencode({ token = ephemeral.aws_secretsmanager_random_password.${name}.random_password })}`);
    expect(version.secret_string_wo_version).toBe(1);
    expect(resourceAt(json, 'aws_secretsmanager_secret', 'test/Cache/AuthToken').kms_key_id)
      .toBe(refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn'));
    for (const release of resourcesOfType(json, 'helm_release')) {
      for (const [key, value] of leaves((release.values ?? []).map((v: string) => JSON.parse(v)))) {
        expect([key, value]).not.toEqual([expect.stringMatching(/token$/i), expect.stringMatching(/^[A-Za-z0-9]{64}$/)]);
      }
    }
  });

  test('a restricted Job in cache-admin turns AUTH on, as an identity that may change this group only', () => {
    const release = helmRelease(json, 'fraud-prod-feast-online-auth');
    expect(release).toMatchObject({ namespace: 'cache-admin', wait_for_jobs: true });
    const [sa, job] = manifestObjects(dir, release);
    expect(sa).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'fraud-prod-feast-online-auth', namespace: 'cache-admin' } });
    expect(job.kind).toBe('Job');
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe('fraud-prod-feast-online-auth');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].resources.limits.memory).toBe('256Mi');
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      GROUP_ID: 'fraud-prod-feast-online', AWS_REGION: 'us-east-1',
      AUTH_TOKEN: { secretKeyRef: { name: 'fraud-prod-feast-online-auth-token', key: 'token' } },
    });
    const script = pod.containers[0].command[2];
    expect(script).toMatch(/--auth-token-update-strategy ROTATE/);
    expect(script).toMatch(/--auth-token-update-strategy SET/);
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Cache/AuthIdentity/Policy').policy);
    expect(policy.Statement).toEqual([{
      Effect: 'Allow', Action: ['elasticache:DescribeReplicationGroups', 'elasticache:ModifyReplicationGroup'],
      Resource: refTo(json, 'aws_elasticache_replication_group', 'test/Cache/Resource', 'arn'),
    }]);
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Cluster/CacheAdminNamespace/Resource');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('addClient syncs the token into the client namespace through a store scoped to it', () => {
    const release = helmRelease(json, 'cache-auth-store');
    expect(release.namespace).toBe('apps');
    const objects = manifestObjects(dir, release);
    const external = objects.find((o) => o.kind === 'ExternalSecret');
    expect(external.spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: refTo(json, 'aws_secretsmanager_secret', 'test/Cache/AuthToken', 'arn'), property: 'token' } }]);
  });

  test('registered as a data store outside AWS Backup, with cost lines priced from the catalog', () => {
    const store = report.dataStores.find((s: any) => s.path === 'test/Cache');
    expect(store).toBeDefined();
    expect(JSON.stringify(report.costEstimate)).toMatch(/ElastiCache cache\.r7g\.large nodes/);
    expect(report.costEstimate.warnings ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/elasticache/)]));
    // AWS Backup cannot select ElastiCache: the vault selection holds no replication group.
    const selections = resourcesOfType(json, 'aws_backup_selection');
    expect(JSON.stringify(selections)).not.toMatch(/aws_elasticache_replication_group/);
  });

  test('every supported node type is priced in every catalog region', () => {
    const catalog = AwsPriceCatalog.load();
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1']) {
      for (const type of Object.keys(REDIS_CACHE_NODE_TYPES)) {
        expect([region, type, catalog.price(`elasticache-valkey:${type}`, region)?.unit]).toEqual([region, type, 'hour']);
      }
    }
  });
});

describe('RedisCache validation', () => {
  const build = (overrides: Partial<RedisCacheProps>) => {
    const { stack, cloud, cluster } = newPlatform(newStack());
    return () => new RedisCache(stack, 'Cache', { cloud, clients: cluster, purpose: 'feast-online', ...overrides });
  };

  test.each([
    ['nodeType', { nodeType: 'cache.x9.huge' }, /is not a node type this library prices and supports/],
    ['replicas', { replicas: 0 }, /must be an integer from 1 to 5|1/],
    ['engineVersion', { engineVersion: '6.2' }, /a Valkey version ElastiCache offers/],
    ['snapshotRetentionDays', { snapshotRetentionDays: 0 }, /1/],
    ['purpose', { purpose: 'Feast Online' }, /a lower-case name/],
  ] as Array<[string, Partial<RedisCacheProps>, RegExp]>)('%s is checked', (prop, overrides, message) => {
    expectValidationError(build(overrides), 'test/Cache', prop, message);
  });

  test('clients must be an EKS cluster and cloud an AwsCloud', () => {
    const { stack, cloud } = newPlatform(newStack());
    expectValidationError(() => new RedisCache(stack, 'Cache', { cloud, clients: {} as any, purpose: 'feast-online' }), 'test/Cache', 'clients', /is not an EKS cluster/);
    expectValidationError(() => new RedisCache(stack, 'Cache2', { cloud: {} as any, clients: {} as any, purpose: 'feast-online' }), 'test/Cache2', 'cloud', /is not an AwsCloud/);
  });
});
