import { Construct } from 'constructs';
import { ICloudServices, IKubernetesCluster, IObjectStore, IPostgresDatabase, IWorkloadIdentity } from './core/interfaces';
import { PlatformStack } from './core/platform-stack';
import { ValidationError } from './core/errors';
import { checkBucketName, checkDnsLabel, checkEnum, checkInteger } from './core/validate';
import { ChartCatalog } from './k8s/chart-catalog';
import { ExternalSecretsOperator } from './k8s/external-secrets-operator';
import { ManifestChart } from './k8s/manifest-chart';
import { PinnedRelease } from './k8s/pinned-release';
import { PlatformNamespace } from './k8s/platform-namespace';

/** What authenticated MLflow users may do with resources they did not create. */
export enum MlflowPermission {
  /** Read experiments and models. */
  READ = 'READ',
  /** Read and edit. */
  EDIT = 'EDIT',
  /** Read, edit and manage permissions. */
  MANAGE = 'MANAGE',
  /** Nothing until granted. */
  NO_PERMISSIONS = 'NO_PERMISSIONS',
}

/** Properties of an {@link ExperimentTracking}. */
export interface ExperimentTrackingProps {
  /** Cluster that runs the MLflow server. */
  readonly cluster: IKubernetesCluster;
  /** Cloud that provides the database, the artifact bucket and workload identity. */
  readonly cloud: ICloudServices;
  /**
   * Namespace of the server.
   *
   * @default 'mlflow'
   */
  readonly namespace?: string;
  /**
   * Server replicas (authentication state lives in PostgreSQL, so several replicas are safe).
   *
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Permission users have on resources they did not create.
   *
   * @default MlflowPermission.READ
   */
  readonly defaultPermission?: MlflowPermission;
  /**
   * Database instance class.
   *
   * @default 'db.m7g.large'
   */
  readonly databaseInstanceClass?: string;
  /**
   * Artifact bucket name.
   *
   * @default - generated
   */
  readonly artifactBucketName?: string;
}

const SERVICE_ACCOUNT = 'mlflow';
/** Namespaces Kubernetes or other parts of this library own. */
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'external-secrets', 'gpu-operator', 'velero'];
const DB_SECRET = 'mlflow-db';
const ADMIN_SECRET = 'mlflow-admin';

/**
 * An MLflow tracking server (community chart, pinned) with a managed PostgreSQL backend store, an encrypted,
 * versioned artifact bucket reached through workload identity (no access keys), artifact proxying, and
 * authentication on. The database password is synced from the cloud's secret service into a Kubernetes
 * secret; the admin password is generated inside the cluster. Neither enters Terraform state or Helm values.
 *
 * @example
 * const tracking = new ExperimentTracking(stack, 'Tracking', { cluster, cloud });
 */
export class ExperimentTracking extends Construct {
  /** In-cluster URL of the tracking server. */
  public readonly url: string;
  /** Backend store. */
  public readonly database: IPostgresDatabase;
  /** Artifact store. */
  public readonly artifactStore: IObjectStore;
  /** Identity the server runs as. */
  public readonly identity: IWorkloadIdentity;
  /** Namespace. */
  public readonly namespace: string;
  /** The Helm release. */
  public readonly release: PinnedRelease;
  /** Name of the Kubernetes secret with the `admin` user's generated password. */
  public readonly adminSecretName = ADMIN_SECRET;

  constructor(scope: Construct, id: string, props: ExperimentTrackingProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    checkInteger(this, 'replicas', replicas, 1, 20);
    checkEnum(this, 'defaultPermission', props.defaultPermission, MlflowPermission, 'MlflowPermission');
    checkBucketName(this, 'artifactBucketName', props.artifactBucketName);
    const namespaceName = props.namespace ?? 'mlflow';
    checkDnsLabel(this, 'namespace', namespaceName, 'namespace');
    if (RESERVED_NAMESPACES.includes(namespaceName)) {
      throw new ValidationError(this, 'namespace', namespaceName, 'is a namespace the library or Kubernetes already uses',
        'Choose a namespace of its own, e.g. "mlflow".');
    }
    const stack = PlatformStack.ofConstruct(this);
    const { cluster, cloud } = props;
    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: namespaceName });
    this.namespace = namespace.name;

    this.database = cloud.newPostgresDatabase(this, 'Database', {
      purpose: 'mlflow', databaseName: 'mlflow', clients: cluster, instanceClass: props.databaseInstanceClass,
    });
    this.artifactStore = cloud.newObjectStore(this, 'Artifacts', { purpose: 'mlflow-artifacts', bucketName: props.artifactBucketName });
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: this.namespace, serviceAccountName: SERVICE_ACCOUNT });
    this.artifactStore.grantReadWrite(this.identity);

    const passwordKey = this.database.exposePasswordAsKubernetesSecret(this, 'DatabaseSecret', cluster, this.namespace, DB_SECRET);
    const adminSecret = this.generateAdminSecret(cluster);
    const dbSecretRef = { name: DB_SECRET, usernameKey: 'username', passwordKey };
    const db = { enabled: true, host: this.database.host, port: this.database.port, database: this.database.databaseName };

    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.MLFLOW,
      releaseName: 'mlflow',
      namespace: this.namespace,
      dependsOn: [adminSecret.resource, namespace.resource],
      values: {
        replicaCount: replicas,
        postgresql: { enabled: false },
        mysql: { enabled: false },
        minio: { enabled: false },
        backendStore: { databaseMigration: true, postgres: db, existingDatabaseSecret: dbSecretRef },
        artifactRoot: { proxiedArtifactStorage: true, s3: { enabled: true, bucket: this.artifactStore.bucketName, path: 'artifacts' } },
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        auth: {
          enabled: true,
          defaultPermission: props.defaultPermission ?? MlflowPermission.READ,
          existingAdminSecret: { name: ADMIN_SECRET, usernameKey: 'username', passwordKey: 'password' },
          postgres: { ...db, existingSecret: dbSecretRef },
        },
        // The chart has no sslmode key; libpq reads PGSSLMODE. RDS also forces TLS on its side.
        extraEnvVars: { AWS_DEFAULT_REGION: cloud.primaryRegion, PGSSLMODE: 'require' },
        extraPodLabels: stack.costAllocation.tags,
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
        ingress: { enabled: false },
      },
    });
    this.url = `http://mlflow.${this.namespace}.svc.cluster.local`;
    stack.addComponent({
      path: this.node.path, name: 'ExperimentTracking',
      description: `MLflow ${ChartCatalog.MLFLOW.appVersion} (chart ${ChartCatalog.MLFLOW.chart} ${ChartCatalog.MLFLOW.version}), ${replicas} replicas, auth on`,
    });
  }

  /** An `admin` user with a 32-character password generated once by External Secrets in the cluster. */
  private generateAdminSecret(cluster: IKubernetesCluster): ManifestChart {
    const generator = 'mlflow-admin-password';
    return new ManifestChart(this, 'AdminSecret', {
      cluster,
      releaseName: 'mlflow-admin-secret',
      namespace: this.namespace,
      dependsOn: [ExternalSecretsOperator.of(cluster).release.resource],
      manifests: [
        {
          // Letters and digits only: the chart substitutes the password into a config file with sed.
          apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', metadata: { name: generator, namespace: this.namespace },
          spec: { length: 32, digits: 8, symbols: 0, noUpper: false, allowRepeat: true },
        },
        {
          apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: ADMIN_SECRET, namespace: this.namespace },
          spec: {
            refreshInterval: '0',
            target: { name: ADMIN_SECRET, creationPolicy: 'Owner', template: { data: { username: 'admin', password: '{{ .password }}' } } },
            dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: generator } } }],
          },
        },
      ],
    });
  }
}
