import { Construct } from 'constructs';
import { DataStoreProtection, DataStoreRecord, IDataStoreCoverage } from './core/data-store-registry';
import { ValidationError } from './core/errors';
import {
  ICloudServices, IKeyValueCache, IKubernetesCluster, IObjectStore, IPostgresDatabase, IWorkloadIdentity,
} from './core/interfaces';
import { DeploymentPhase } from './core/platform-report';
import { PlatformStack } from './core/platform-stack';
import { RestoreKind, RestoreProcedure } from './core/restore';
import {
  checkBucketName, checkDnsLabel, checkInteger, checkPattern, claimUnique, isCloudServices, isKubernetesCluster, requireConstruct, requireProps,
} from './core/validate';
import { ChartCatalog } from './k8s/chart-catalog';
import { ManifestChart } from './k8s/manifest-chart';
import { PinnedRelease } from './k8s/pinned-release';
import { PlatformNamespace } from './k8s/platform-namespace';

/** Properties of a {@link FeatureStore}. */
export interface FeatureStoreProps {
  /** Cluster that runs the feature server and the materialization jobs. */
  readonly cluster: IKubernetesCluster;
  /** Cloud that provides the offline store bucket and workload identity. */
  readonly cloud: ICloudServices;
  /**
   * PostgreSQL instance that holds the SQL registry (its own database `feast_registry` and role `feast`), e.g. the
   * platform's `tracking.database`.
   */
  readonly database: IPostgresDatabase;
  /**
   * Online store: a managed Redis-protocol cache (on AWS `new RedisCache(...)`: ElastiCache for Valkey).
   *
   * @default - Feast's PostgreSQL online store in a database `feast_online` on `database` (fine for low request rates;
   * use a cache for millisecond reads)
   */
  readonly onlineStore?: IKeyValueCache;
  /**
   * Offline store: the bucket feature data (Parquet files) is written to and materialized from.
   *
   * @default - a new encrypted, versioned bucket (purpose `feast-offline`)
   */
  readonly offlineStore?: IObjectStore;
  /**
   * Name of the offline store bucket the construct creates (ignored when `offlineStore` is given).
   *
   * @default - generated
   */
  readonly offlineBucketName?: string;
  /**
   * Namespace of the feature server and jobs.
   *
   * @default 'feast'
   */
  readonly namespace?: string;
  /**
   * Feast project: letters, digits and `_`, not starting with `_`.
   *
   * @default 'platform'
   */
  readonly project?: string;
  /**
   * Feature server replicas.
   *
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Schedule (cron, UTC) of `feast materialize-incremental`, which copies new feature values from the offline store to
   * the online store.
   *
   * @default '0 * * * *' (hourly)
   */
  readonly materializeSchedule?: string;
  /**
   * Days of feature data a full re-materialization loads (the suspended CronJob `feast-rematerialize`, run after a
   * restore in the DR region or after the online store is lost): at least the longest TTL of your feature views.
   *
   * @default 30
   */
  readonly rematerializeDays?: number;
}

const RELEASE_NAME = 'feast-feature-server';
const SERVICE_ACCOUNT = 'feast';
const DB_ROLE = 'feast';
const DB_SECRET = 'feast-db';
const ONLINE_SECRET = 'feast-online';
const REGISTRY_DATABASE = 'feast_registry';
const ONLINE_DATABASE = 'feast_online';
const MATERIALIZE_JOB = 'feast-materialize';
const REMATERIALIZE_JOB = 'feast-rematerialize';
/** Port the feature server listens on in online mode (the chart's containerPort). */
const SERVER_PORT = 6566;
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'external-secrets', 'gpu-operator', 'velero',
  'mlflow', 'db-admin', 'cache-admin', 'monitoring', 'kueue-system'];

/**
 * A Feast feature store: the feature server (chart `feast-feature-server`, pinned) in its own `restricted` namespace,
 * a SQL registry in its own database on the platform's PostgreSQL, an online store on a managed Redis-protocol cache
 * (or PostgreSQL), an offline store on the object store read through workload identity, and CronJobs that materialize
 * new values every hour and can re-load the whole online store.
 *
 * No password enters Terraform state or Helm values: `feature_store.yaml` (given to the chart base64-encoded) names
 * environment variables (`$FEAST_REGISTRY_PASSWORD`, `$FEAST_ONLINE_PASSWORD`), which Feast expands when it loads the
 * file, and the pods read them from secrets synced into the namespace by secret stores scoped to it.
 *
 * The online store holds nothing of its own: every value is a copy of a row of the offline store. Its protection in
 * the DR proof is therefore the offline store's copy, and its restore is a re-materialization into the cache the DR
 * deployment creates.
 *
 * @example
 * const cache = new RedisCache(stack, 'OnlineStore', { cloud, clients: cluster, purpose: 'feast-online' });
 * new FeatureStore(stack, 'Features', { cluster, cloud, database: tracking.database, onlineStore: cache });
 */
export class FeatureStore extends Construct implements IDataStoreCoverage {
  /** Namespace. */
  public readonly namespace: string;
  /** In-cluster URL of the feature server (HTTP: `/get-online-features`, `/push`, `/health`). */
  public readonly url: string;
  /** Name of the feature server's Service. */
  public readonly serviceName = RELEASE_NAME;
  /** Port of the Service. */
  public readonly servicePort = 80;
  /** Port the server's pods listen on (what a NetworkPolicy, e.g. a Team's allowedServices, must allow). */
  public readonly podPort = SERVER_PORT;
  /** Offline store (Parquet files of the feature data sources). */
  public readonly offlineStore: IObjectStore;
  /** Online store, when it is a cache. */
  public readonly onlineStore?: IKeyValueCache;
  /** Identity of the feature server and the materialization jobs. */
  public readonly identity: IWorkloadIdentity;
  /** The feature server's Helm release. */
  public readonly release: PinnedRelease;
  /** The `feature_store.yaml` the server and jobs load (environment variables not expanded). */
  public readonly featureStoreYaml: string;
  /** Feast project. */
  public readonly project: string;
  /** Shell command that forwards http://localhost:6566 to the feature server. */
  public readonly portForwardCommand: string;
  private readonly stack: PlatformStack;
  private readonly namespaceName: string;
  private computingCoverage = false;

  constructor(scope: Construct, id: string, props: FeatureStoreProps) {
    super(scope, id);
    validateInput(this, props);
    const { cluster, cloud, database } = props;
    const namespaceName = props.namespace ?? 'feast';
    checkDnsLabel(this, 'namespace', namespaceName, 'namespace');
    if (RESERVED_NAMESPACES.includes(namespaceName)) {
      throw new ValidationError(this, 'namespace', namespaceName, 'is a namespace the library or Kubernetes already uses',
        'Choose a namespace of its own, e.g. "feast".');
    }
    claimUnique(this, 'namespace', namespaceName, 'FeatureStore per namespace of a cluster', `${cluster.node.path}\u0000${namespaceName}`,
      'Give each FeatureStore on a cluster its own namespace, e.g. namespace: "feast-fraud".');
    const project = this.project = props.project ?? 'platform';
    checkPattern(this, 'project', project, /^[A-Za-z0-9][A-Za-z0-9_]{0,62}$/, 'letters, digits and "_", not starting with "_" (e.g. "fraud_features")');
    const replicas = props.replicas ?? 2;
    checkInteger(this, 'replicas', replicas, 1, 20);
    const schedule = props.materializeSchedule ?? '0 * * * *';
    checkPattern(this, 'materializeSchedule', schedule, /^\S+( \S+){4}$/, 'a five-field cron expression, e.g. "0 * * * *"');
    const rematerializeDays = props.rematerializeDays ?? 30;
    checkInteger(this, 'rematerializeDays', rematerializeDays, 1, 3650);
    checkBucketName(this, 'offlineBucketName', props.offlineBucketName);
    if (props.offlineStore !== undefined && props.offlineBucketName !== undefined) {
      throw new ValidationError(this, 'offlineBucketName', props.offlineBucketName, 'cannot be set together with offlineStore',
        'Leave offlineBucketName unset when you pass an existing offlineStore.');
    }

    this.namespaceName = namespaceName;
    const stack = this.stack = PlatformStack.ofConstruct(this);
    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: namespaceName });
    this.namespace = namespace.name;
    this.offlineStore = props.offlineStore ?? cloud.newObjectStore(this, 'OfflineStore', { purpose: 'feast-offline', bucketName: props.offlineBucketName });
    this.onlineStore = props.onlineStore;
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: this.namespace, serviceAccountName: SERVICE_ACCOUNT });
    // Reading is all Feast does with the offline store; pipelines that write feature data get their own grants.
    this.offlineStore.grantRead(this.identity);

    // Its own role, owning the registry (and the PostgreSQL online store when there is no cache): never the master user.
    const login = database.addApplicationRole(this, 'DatabaseRole', {
      cluster, namespace: namespaceName, roleName: DB_ROLE, secretName: DB_SECRET, dependsOn: [namespace.resource],
      databases: props.onlineStore ? [REGISTRY_DATABASE] : [REGISTRY_DATABASE, ONLINE_DATABASE],
    });
    const online = props.onlineStore?.addClient(this, 'OnlineStoreCredentials', {
      cluster, namespace: namespaceName, secretName: ONLINE_SECRET, dependsOn: [namespace.resource],
    });

    this.featureStoreYaml = featureStoreYaml(project, props.onlineStore, database.port);
    const yamlBase64 = Buffer.from(this.featureStoreYaml, 'utf8').toString('base64');
    const env = [
      { name: 'FEAST_DB_HOST', value: database.host },
      { name: 'FEAST_REGISTRY_PASSWORD', valueFrom: { secretKeyRef: { name: login.secretName, key: login.passwordKey } } },
      ...(props.onlineStore && online ? [
        { name: 'FEAST_ONLINE_HOST', value: props.onlineStore.host },
        { name: 'FEAST_ONLINE_PASSWORD', valueFrom: { secretKeyRef: { name: online.secretName, key: online.passwordKey } } },
      ] : []),
      { name: 'AWS_DEFAULT_REGION', value: cloud.primaryRegion },
      // Feast writes feature_store.yaml to a temporary directory and its usage files under HOME: both on the /tmp volume.
      { name: 'HOME', value: '/tmp' },
      { name: 'FEAST_USAGE', value: 'False' },
    ];
    const podSecurityContext = { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } };
    const containerSecurityContext = {
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const image = `quay.io/feastdev/feature-server:${ChartCatalog.FEAST_FEATURE_SERVER.appVersion}`;
    const prerequisites = [namespace.resource, ...login.prerequisites, ...(online?.prerequisites ?? []), ...this.identity.prerequisites];

    // The chart names a service account but does not create one; the CronJobs run as the same identity.
    const jobs = new ManifestChart(this, 'Jobs', {
      cluster,
      releaseName: 'feast-jobs',
      namespace: this.namespace,
      dependsOn: prerequisites,
      manifests: [
        {
          apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: { name: SERVICE_ACCOUNT, namespace: this.namespace, ...(this.identity.serviceAccountAnnotations ? { annotations: this.identity.serviceAccountAnnotations } : {}) },
        },
        materializeCronJob(MATERIALIZE_JOB, this.namespace, schedule, false, 'feast materialize-incremental "$(date -u +%Y-%m-%dT%H:%M:%S)"',
          { image, env, yamlBase64, podSecurityContext, containerSecurityContext, labels: stack.costAllocation.tags }),
        // Suspended: run by hand (kubectl create job --from) to re-load the online store, e.g. after a DR restore.
        materializeCronJob(REMATERIALIZE_JOB, this.namespace, '0 0 1 1 *', true,
          `feast materialize "$(date -u -d '-${rematerializeDays} days' +%Y-%m-%dT%H:%M:%S)" "$(date -u +%Y-%m-%dT%H:%M:%S)"`,
          { image, env, yamlBase64, podSecurityContext, containerSecurityContext, labels: stack.costAllocation.tags }),
      ],
    });

    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.FEAST_FEATURE_SERVER,
      releaseName: RELEASE_NAME,
      namespace: this.namespace,
      dependsOn: [jobs.resource, ...prerequisites],
      values: {
        replicaCount: replicas,
        feast_mode: 'online',
        feature_store_yaml_base64: yamlBase64,
        serviceAccount: { name: SERVICE_ACCOUNT },
        extraEnvs: env,
        // The namespace enforces Pod Security "restricted"; the chart sets no security context of its own.
        podSecurityContext,
        securityContext: containerSecurityContext,
        // The chart has no pod-label value: cost labels come from the namespace; annotations carry them for reports.
        podAnnotations: stack.costAllocation.tags,
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
        volumes: [{ name: 'tmp', emptyDir: {} }],
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        metrics: { enabled: false },
        route: { enabled: false },
      },
    });

    this.url = `http://${RELEASE_NAME}.${namespaceName}.svc.cluster.local`;
    this.portForwardCommand = `kubectl -n ${namespaceName} port-forward svc/${RELEASE_NAME} ${SERVER_PORT}:80`;
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: `Register features with Feast in ${namespaceName}`,
      detail: 'The SQL registry is reachable from the cluster only: copy your feature repository (its Python definitions) into a feature ' +
        'server pod, write the platform\'s feature_store.yaml beside it and run `feast apply` there. Materialization then runs every hour.',
      command: [
        `POD=$(kubectl -n ${namespaceName} get pod -l app.kubernetes.io/instance=${RELEASE_NAME} -o jsonpath='{.items[0].metadata.name}')`,
        `kubectl -n ${namespaceName} cp ./feature_repo "$POD":/tmp/feature_repo`,
        `kubectl -n ${namespaceName} exec "$POD" -- sh -c 'cd /tmp/feature_repo && echo "$FEATURE_STORE_YAML_BASE64" | base64 -d > feature_store.yaml && feast apply'`,
      ].join('\n'),
    });
    this.registerRecovery(database, props.onlineStore);
    stack.addComponent({
      path: this.node.path, name: 'FeatureStore',
      description: `Feast feature server ${ChartCatalog.FEAST_FEATURE_SERVER.appVersion} (chart ${ChartCatalog.FEAST_FEATURE_SERVER.chart} ` +
        `${ChartCatalog.FEAST_FEATURE_SERVER.version}), ${replicas} replicas in ${namespaceName}; SQL registry in ${REGISTRY_DATABASE}; online store: ` +
        `${props.onlineStore ? props.onlineStore.description : `PostgreSQL database ${ONLINE_DATABASE}`}; offline store: Parquet files in bucket ${this.offlineStore.node.path}; ` +
        `materialization ${schedule} (UTC)`,
    });
  }

  /**
   * Covers the online cache: it is rebuilt from the offline store, so it is protected as well as the offline store's
   * copies are, and restored by re-materializing into the cache the DR deployment creates.
   */
  public protectionFor(store: DataStoreRecord): DataStoreProtection | undefined {
    if (this.onlineStore === undefined || store.path !== this.onlineStore.node.path || this.computingCoverage) {
      return undefined;
    }
    // Reading the registry asks every coverage again, this one included: answer nothing while doing so.
    this.computingCoverage = true;
    let source;
    try {
      source = this.stack.dataStores.stores.find((e) => e.store.path === this.offlineStore.node.path);
    } finally {
      this.computingCoverage = false;
    }
    const copies = (source?.protections ?? []).filter((p) => p.copyRegion !== source!.store.region);
    if (!source || copies.length === 0) {
      return undefined;
    }
    const best = copies.reduce((a, b) => (b.copyRpo.toMinutes() < a.copyRpo.toMinutes() ? b : a));
    const inRegion = source.protections.reduce((a, b) => (b.rpo.toMinutes() < a.rpo.toMinutes() ? b : a));
    return {
      mechanism: `re-materialized from the offline store (${best.mechanism})`,
      rpo: inRegion.rpo,
      copyRegion: best.copyRegion,
      copyRpo: best.copyRpo,
      retention: best.retention,
      restore: this.rematerialize(best.copyRegion),
    };
  }

  private rematerialize(region: string): RestoreProcedure {
    return {
      kind: RestoreKind.SNAPSHOT,
      summary: `the DR deployment creates an empty cache; \`feast materialize\` re-loads it from the offline store's copy in ${region} ` +
        '(after Feast is re-pointed at the restored registry)',
      afterDeploy: true,
      prerequisites: [
        `The offline store's copy in \`${region}\` and the restored Feast registry database (their own restores in this runbook).`,
      ],
      steps: [{
        title: 'Check that the DR deployment created the empty cache and the feature server',
        detail: 'The re-load itself runs with the clients (below), once Feast reads the restored registry.',
        commands: [`kubectl -n ${this.namespaceName} rollout status deployment/${RELEASE_NAME} --timeout=15m`],
      }],
    };
  }

  /** The cache's DR coverage, and how Feast is re-pointed at a restored registry database. */
  private registerRecovery(database: IPostgresDatabase, cache?: IKeyValueCache): void {
    const registered = (path: string) => this.stack.dataStores.stores.some((e) => e.store.path === path);
    if (cache !== undefined && registered(cache.node.path)) {
      this.stack.dataStores.addCoverage(this);
      this.stack.dataStores.addClient(cache.node.path, {
        name: `Feast materialization (namespace \`${this.namespaceName}\`)`,
        repoint: {
          title: 'Re-load the online store from the offline store',
          detail: 'Run after Feast reads the restored registry (above). Feature views whose sources name the lost bucket must first be ' +
            're-applied (`feast apply`) with the offline store\'s copy in the DR region. The job materializes the last `rematerializeDays` days of ' +
            'every feature view into the new cache; the DR estimate counts the cache\'s memory at the rate of a snapshot restore: time a real run and ' +
            'state it in restoreAssumptions.storeSizesGiB.',
          commands: [
            `kubectl -n ${this.namespaceName} create job ${REMATERIALIZE_JOB}-dr --from=cronjob/${REMATERIALIZE_JOB}`,
            `kubectl -n ${this.namespaceName} wait --for=condition=complete --timeout=6h job/${REMATERIALIZE_JOB}-dr`,
          ],
        },
      });
    }
    if (registered(database.node.path)) {
      this.stack.dataStores.addClient(database.node.path, {
        name: `Feast (feature server and materialization jobs in namespace \`${this.namespaceName}\`)`,
        repoint: {
          title: 'Point Feast\'s registry at the restored instance',
          detail: 'Run after the feast role\'s login is restored (above); the pods restart with the new host.',
          commands: [
            `kubectl -n ${this.namespaceName} set env deployment/${RELEASE_NAME} FEAST_DB_HOST="$ENDPOINT"`,
            `kubectl -n ${this.namespaceName} set env cronjob/${MATERIALIZE_JOB} cronjob/${REMATERIALIZE_JOB} FEAST_DB_HOST="$ENDPOINT"`,
          ],
        },
      });
    }
  }
}

/**
 * The feature_store.yaml: every host and password is an environment variable Feast expands when it loads the file
 * (`$NAME`, not `${NAME}`, so Terraform never reads it as an interpolation). The database role's and the cache's
 * passwords are letters and digits, so they need no escaping in the URL or the connection string.
 */
function featureStoreYaml(project: string, cache: IKeyValueCache | undefined, dbPort: number): string {
  const online = cache
    ? [
      'online_store:',
      '  type: redis',
      '  redis_type: redis',
      `  connection_string: $FEAST_ONLINE_HOST:${cache.port},ssl=${cache.tls ? 'true' : 'false'},password=$FEAST_ONLINE_PASSWORD`,
    ]
    : [
      'online_store:',
      '  type: postgres',
      '  host: $FEAST_DB_HOST',
      `  port: ${dbPort}`,
      `  database: ${ONLINE_DATABASE}`,
      `  user: ${DB_ROLE}`,
      '  password: $FEAST_REGISTRY_PASSWORD',
      '  sslmode: require',
    ];
  return [
    `project: ${project}`,
    'provider: local',
    'registry:',
    '  registry_type: sql',
    `  path: postgresql+psycopg://${DB_ROLE}:$FEAST_REGISTRY_PASSWORD@$FEAST_DB_HOST:${dbPort}/${REGISTRY_DATABASE}?sslmode=require`,
    '  cache_ttl_seconds: 60',
    '  sqlalchemy_config_kwargs:',
    '    pool_pre_ping: true',
    ...online,
    'offline_store:',
    '  type: file',
    'entity_key_serialization_version: 3',
    '',
  ].join('\n');
}

interface JobPodSettings {
  readonly image: string;
  readonly env: any[];
  readonly yamlBase64: string;
  readonly podSecurityContext: any;
  readonly containerSecurityContext: any;
  readonly labels: { [key: string]: string };
}

/** A CronJob running a Feast command with the feature server's configuration and identity. */
function materializeCronJob(name: string, namespace: string, schedule: string, suspend: boolean, command: string, pod: JobPodSettings): any {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace },
    spec: {
      schedule,
      timeZone: 'Etc/UTC',
      suspend,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: { ...pod.labels, 'app.kubernetes.io/name': name } },
            spec: {
              restartPolicy: 'Never',
              serviceAccountName: SERVICE_ACCOUNT,
              securityContext: pod.podSecurityContext,
              containers: [{
                name: 'feast',
                image: pod.image,
                command: ['/bin/sh', '-c', `set -eu\n${command}\n`],
                env: [{ name: 'FEATURE_STORE_YAML_BASE64', value: pod.yamlBase64 }, ...pod.env],
                securityContext: pod.containerSecurityContext,
                resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              }],
              volumes: [{ name: 'tmp', emptyDir: {} }],
            },
          },
        },
      },
    },
  };
}

/** Checks the kinds of the props before the constructor reads them. */
function validateInput(scope: Construct, props: FeatureStoreProps): void {
  requireProps(scope, props, '{ cluster, cloud, database }');
  requireConstruct(scope, 'cloud', props.cloud, 'a cloud (ICloudServices, e.g. an AwsCloud)', isCloudServices, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
  requireConstruct(scope, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
    "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
  requireConstruct(scope, 'database', props.database, 'a PostgreSQL database (IPostgresDatabase)',
    (v) => v?.node !== undefined && typeof v.addApplicationRole === 'function', "Pass the platform's database, e.g. platform.tracking.database.");
  if (props.onlineStore !== undefined) {
    requireConstruct(scope, 'onlineStore', props.onlineStore, 'a key-value cache (IKeyValueCache, e.g. a RedisCache)',
      (v) => v?.node !== undefined && typeof v.addClient === 'function', "Pass e.g. new RedisCache(stack, 'OnlineStore', { cloud, clients: cluster, purpose: 'feast-online' }).");
  }
  if (props.offlineStore !== undefined) {
    requireConstruct(scope, 'offlineStore', props.offlineStore, 'an object store (IObjectStore)',
      (v) => v?.node !== undefined && typeof v.grantRead === 'function', 'Pass a bucket, e.g. cloud.newObjectStore(...), or leave it unset.');
  }
}
