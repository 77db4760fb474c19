import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from './core/errors';
import {
  ApplicationRoleCredentials, ICloudServices, IKubernetesCluster, IObjectStore, IPostgresDatabase, IWorkloadIdentity,
} from './core/interfaces';
import { DeploymentPhase } from './core/platform-report';
import { PlatformStack } from './core/platform-stack';
import {
  checkBucketName, checkCidr, checkDnsLabel, checkInteger, claimUnique, isCloudServices, isKubernetesCluster, isUnresolved, requireConstruct,
  requireList, requireProps,
} from './core/validate';
import { ChartCatalog } from './k8s/chart-catalog';
import { ManifestChart } from './k8s/manifest-chart';
import { PinnedRelease } from './k8s/pinned-release';
import { PlatformNamespace } from './k8s/platform-namespace';
import { Monitoring } from './monitoring';
import { Team, TeamEgressRule } from './team';

/** Properties of a {@link Pipelines}. */
export interface PipelinesProps {
  /** Cluster that runs the workflow controller, the server and the workflows. */
  readonly cluster: IKubernetesCluster;
  /** Cloud that provides the artifact bucket and workload identity (and the database when none is given). */
  readonly cloud: ICloudServices;
  /**
   * PostgreSQL server that keeps the workflow archive, in a database `argo` owned by a login role of its own
   * (never the master user). Pass the platform's database (e.g. `ExperimentTracking.database`) to share its
   * instance, backups and DR copy.
   *
   * @default - a new database instance from the cloud (purpose `argo-archive`)
   */
  readonly database?: IPostgresDatabase;
  /**
   * The platform's monitoring: a ServiceMonitor makes its Prometheus scrape the workflow controller's metrics.
   *
   * @default - no scraping
   */
  readonly monitoring?: Monitoring;
  /**
   * Namespace of the controller and the server (Pod Security `restricted`).
   *
   * @default 'argo'
   */
  readonly namespace?: string;
  /**
   * Teams whose namespaces run workflows. Their quotas, LimitRange, network policy and Kueue queue apply to the
   * workflow pods.
   *
   * @default - none
   */
  readonly teams?: Team[];
  /**
   * More namespaces that run workflows, created by this construct (Pod Security `restricted`, cost labels).
   *
   * @default - `['workflows']` when no team is given, none otherwise
   */
  readonly workflowNamespaces?: string[];
  /**
   * Address ranges workflow pods in team namespaces may reach on TCP 443, on top of what the team allows: the
   * Kubernetes API (the executor reports results through it) and the object store (artifacts). Narrow it to
   * your API endpoint and object store ranges (or VPC endpoints) if you can name them.
   *
   * @default ['0.0.0.0/0']
   */
  readonly workflowHttpsEgressCidrs?: string[];
  /**
   * Further addresses workflow pods in team namespaces may reach, e.g. the EKS Pod Identity agent
   * (`169.254.170.23/32`, port 80) that hands out the artifact credentials on AWS.
   *
   * @default - none
   */
  readonly workflowEgress?: TeamEgressRule[];
  /**
   * Artifact bucket name.
   *
   * @default - generated
   */
  readonly artifactBucketName?: string;
  /**
   * Workflows running at once in the whole cluster (more wait as Pending).
   *
   * @default 100
   */
  readonly parallelism?: number;
  /**
   * Workflows running at once in one namespace.
   *
   * @default 20
   */
  readonly namespaceParallelism?: number;
  /**
   * Days a finished workflow object stays in the cluster before it and its pods are deleted (it stays in the
   * archive, and its logs in the artifact bucket).
   *
   * @default 7
   */
  readonly workflowTtlDays?: number;
  /**
   * Days a workflow stays in the archive.
   *
   * @default 180
   */
  readonly archiveTtlDays?: number;
  /**
   * Argo Server replicas.
   *
   * @default 2
   */
  readonly serverReplicas?: number;
}

/** Name of the Helm release; the chart's resources are named after it (`argo-workflows-server`, ...). */
const RELEASE_NAME = 'argo-workflows';
const SERVER_SERVICE_ACCOUNT = 'argo-server';
const WORKFLOW_SERVICE_ACCOUNT = 'argo-workflow';
const SUBMITTER_SERVICE_ACCOUNT = 'argo-submitter';
const SUBMITTER_ROLE = 'argo-workflows-submitter';
const DB_ROLE = 'argo';
const DB_NAME = 'argo';
const DB_SECRET = 'argo-db';
const SERVER_PORT = 2746;
/** The user `argoexec` runs as in Argo's images; also the default user of workflow pods. */
const ARGO_UID = 8737;
const RESTRICTED_CONTAINER = {
  runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
};
/** Namespaces Kubernetes or other parts of the library own. */
const RESERVED_NAMESPACES = [
  'default', 'kube-system', 'kube-public', 'kube-node-lease', 'external-secrets', 'gpu-operator', 'velero', 'kueue-system', 'mlflow',
  'monitoring', 'monitoring-node', 'opencost', 'logging', 'karpenter', 'db-admin',
];

/**
 * Pipelines: Argo Workflows (chart pinned in the ChartCatalog) with the controller and the server in a
 * `restricted` namespace of their own, and workflows in team namespaces. Artifacts and the logs of every step go
 * to an encrypted, versioned bucket of the cloud, reached through workload identity (no access keys): the server
 * reads it, the workflow pods' service account (`argo-workflow`) of each workflow namespace reads and writes it.
 * Finished workflows are archived in PostgreSQL under a least-privilege role of their own (database `argo`),
 * whose password the cloud's secret service generates and syncs into the namespace. The server only accepts
 * Kubernetes bearer tokens (`--auth-mode=client`, TLS on), never its own identity; each workflow namespace has an
 * `argo-submitter` service account allowed to submit and watch workflows there and nowhere else. The controller
 * caps concurrent workflows per cluster and namespace, deletes finished workflows after a TTL and their
 * successful pods at once, and exposes metrics that the platform's Prometheus scrapes when monitoring is given.
 *
 * @example
 * new Pipelines(stack, 'Pipelines', { cluster, cloud, database: tracking.database, monitoring, teams: [research] });
 */
export class Pipelines extends Construct {
  /** Namespace of the controller and the server. */
  public readonly namespace: string;
  /** Namespaces that run workflows (team namespaces first). */
  public readonly workflowNamespaces: string[];
  /** The Argo Workflows release. */
  public readonly release: PinnedRelease;
  /** Bucket of workflow artifacts and step logs. */
  public readonly artifactStore: IObjectStore;
  /** PostgreSQL server of the workflow archive. */
  public readonly database: IPostgresDatabase;
  /** The archive's login (secret in {@link namespace}). */
  public readonly databaseCredentials: ApplicationRoleCredentials;
  /** Identity of the Argo Server (reads artifacts for the UI). */
  public readonly serverIdentity: IWorkloadIdentity;
  /** Identity of the workflow pods, per workflow namespace, in the order of {@link workflowNamespaces}. */
  public readonly workflowIdentities: IWorkloadIdentity[];
  /** The ServiceMonitor of the controller, when monitoring is given. */
  public readonly metrics?: ManifestChart;
  /** Service account workflow pods run as in each workflow namespace. */
  public readonly workflowServiceAccountName = WORKFLOW_SERVICE_ACCOUNT;
  /** Service account whose tokens submit workflows in each workflow namespace. */
  public readonly submitterServiceAccountName = SUBMITTER_SERVICE_ACCOUNT;
  /** Name of the Argo Server's Service (HTTPS, port {@link serverPort}). */
  public readonly serverServiceName = `${RELEASE_NAME}-server`;
  /** Port of the Argo Server. */
  public readonly serverPort = SERVER_PORT;
  /** Shell command that forwards https://localhost:2746 to the Argo Server. */
  public readonly portForwardCommand: string;

  constructor(scope: Construct, id: string, props: PipelinesProps) {
    super(scope, id);
    validateInput(this, props);
    const { cluster, cloud } = props;
    const stack = PlatformStack.ofConstruct(this);
    const settings = resolveSettings(this, props);
    claimUnique(this, 'cluster', cluster.node.path, 'Pipelines per cluster', cluster.node.path,
      'Keep one Pipelines per cluster: Argo\'s CRDs and cluster roles are cluster-wide.');
    const labels = stack.costAllocation.tags;

    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: settings.namespace });
    this.namespace = settings.namespace;
    const workflowNamespaces: Array<{ name: string; resource: ITerraformDependable; team: boolean }> = [
      ...(props.teams ?? []).map((team) => ({ name: team.namespace, resource: team.namespaceResource, team: true })),
      ...settings.ownNamespaces.map((name) => ({
        name, resource: new PlatformNamespace(this, `WorkflowNamespace-${name}`, { cluster, name }).resource, team: false,
      })),
    ];
    this.workflowNamespaces = workflowNamespaces.map((ns) => ns.name);

    this.artifactStore = cloud.newObjectStore(this, 'Artifacts', { purpose: 'argo-artifacts', bucketName: props.artifactBucketName });
    const artifactRepository = artifactRepositoryFor(this, this.artifactStore);
    this.database = props.database ?? cloud.newPostgresDatabase(this, 'Database', { purpose: 'argo-archive', databaseName: DB_NAME, clients: cluster });
    this.databaseCredentials = this.database.addApplicationRole(this, 'DatabaseRole', {
      cluster, namespace: this.namespace, roleName: DB_ROLE, databases: [DB_NAME], secretName: DB_SECRET, dependsOn: [namespace.resource],
    });

    this.serverIdentity = cluster.newWorkloadIdentity(this, 'ServerIdentity', { namespace: this.namespace, serviceAccountName: SERVER_SERVICE_ACCOUNT });
    this.artifactStore.grantRead(this.serverIdentity);
    const namespaceObjects: ITerraformDependable[] = [];
    this.workflowIdentities = workflowNamespaces.map((ns) => {
      const group = new Construct(this, `Workflows-${ns.name}`);
      const identity = cluster.newWorkloadIdentity(group, 'Identity', { namespace: ns.name, serviceAccountName: WORKFLOW_SERVICE_ACCOUNT });
      this.artifactStore.grantReadWrite(identity);
      namespaceObjects.push(...this.workflowNamespaceObjects(group, cluster, ns.name, ns.resource, identity, labels));
      if (ns.team) {
        namespaceObjects.push(this.teamEgress(group, cluster, ns.name, ns.resource, settings));
      }
      return identity;
    });

    const archive = {
      archive: true,
      archiveTTL: `${settings.archiveTtlDays}d`,
      connectionPool: { maxIdleConns: 10, maxOpenConns: 20, connMaxLifetime: '300s' },
      postgresql: {
        host: this.database.host,
        port: this.database.port,
        database: DB_NAME,
        tableName: 'argo_workflows',
        userNameSecret: { name: this.databaseCredentials.secretName, key: this.databaseCredentials.usernameKey },
        passwordSecret: { name: this.databaseCredentials.secretName, key: this.databaseCredentials.passwordKey },
        ssl: true,
        sslMode: 'require',
      },
    };
    const resources = (cpu: string, memory: string, memoryLimit: string) => ({ requests: { cpu, memory }, limits: { memory: memoryLimit } });
    const podSecurityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.ARGO_WORKFLOWS,
      releaseName: RELEASE_NAME,
      namespace: this.namespace,
      dependsOn: [
        namespace.resource, ...workflowNamespaces.map((ns) => ns.resource), ...namespaceObjects,
        ...this.databaseCredentials.prerequisites, ...this.serverIdentity.prerequisites,
      ],
      values: {
        images: { pullPolicy: 'IfNotPresent' },
        // The minimal CRDs ship inside the chart; the full ones would be downloaded from GitHub by a hook Job at
        // every install and upgrade, which a cluster without internet access cannot do.
        crds: { install: true, full: false, keep: true },
        createAggregateRoles: true,
        commonLabels: labels,
        singleNamespace: false,
        // Workflow pods authenticate with workload identity through the SDK's default chain, never access keys.
        useStaticCredentials: false,
        artifactRepository: { archiveLogs: true, ...artifactRepository },
        workflow: {
          // Service accounts are created per namespace with their identity's annotations (see workflowNamespaceObjects);
          // the chart binds each to the executor's role (report step results) in every workflow namespace.
          serviceAccount: { create: false, name: WORKFLOW_SERVICE_ACCOUNT },
          rbac: { create: true, agentPermissions: false, artifactGC: false },
        },
        controller: {
          workflowNamespaces: this.workflowNamespaces,
          parallelism: settings.parallelism,
          namespaceParallelism: settings.namespaceParallelism,
          // Pod creation rate across the cluster, so a wide fan-out does not flood the API server.
          resourceRateLimit: { limit: 20, burst: 50 },
          persistence: archive,
          workflowDefaults: {
            spec: {
              serviceAccountName: WORKFLOW_SERVICE_ACCOUNT,
              // Pod Security `restricted` in every workflow namespace; a template may set another non-root user.
              securityContext: {
                runAsNonRoot: true, runAsUser: ARGO_UID, runAsGroup: ARGO_UID, fsGroup: ARGO_UID, seccompProfile: { type: 'RuntimeDefault' },
              },
              ttlStrategy: { secondsAfterCompletion: settings.workflowTtlDays * 86400 },
              // Logs are archived to the bucket, so successful pods go at once; failed ones stay for debugging until the TTL.
              podGC: { strategy: 'OnPodSuccess' },
            },
          },
          metricsConfig: { enabled: true },
          serviceMonitor: { enabled: false },
          rbac: { create: true, accessAllSecrets: false, writeConfigMaps: false },
          serviceAccount: { create: true },
          podSecurityContext,
          securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
          resources: resources('100m', '256Mi', '1Gi'),
          replicas: 1,
          clusterWorkflowTemplates: { enabled: true },
        },
        executor: {
          resources: resources('50m', '64Mi', '256Mi'),
          securityContext: { ...RESTRICTED_CONTAINER, runAsUser: ARGO_UID, readOnlyRootFilesystem: true },
        },
        mainContainer: {
          securityContext: RESTRICTED_CONTAINER,
        },
        server: {
          enabled: true,
          // Every request carries a Kubernetes bearer token and runs with its permissions; `server` mode, which
          // would act with the server's own service account for anyone who reaches it, is never set.
          authModes: ['client'],
          secure: true,
          replicas: settings.serverReplicas,
          pdb: settings.serverReplicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
          serviceAccount: {
            create: true, name: SERVER_SERVICE_ACCOUNT,
            ...(this.serverIdentity.serviceAccountAnnotations ? { annotations: this.serverIdentity.serviceAccountAnnotations } : {}),
          },
          podSecurityContext,
          securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: false },
          resources: resources('100m', '128Mi', '512Mi'),
          clusterWorkflowTemplates: { enabled: true, enableEditing: false },
          sso: { enabled: false },
          ingress: { enabled: false },
          serviceType: 'ClusterIP',
        },
      },
    });

    if (props.monitoring) {
      this.metrics = new ManifestChart(this, 'Metrics', {
        cluster,
        releaseName: 'argo-workflows-metrics',
        namespace: this.namespace,
        // The ServiceMonitor CRD comes with kube-prometheus-stack; the Service it selects with this release.
        dependsOn: [props.monitoring.release.resource, this.release.resource],
        manifests: [{
          apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor',
          metadata: { name: 'argo-workflows-controller', namespace: this.namespace, labels },
          spec: {
            namespaceSelector: { matchNames: [this.namespace] },
            selector: { matchLabels: { 'app.kubernetes.io/name': `${RELEASE_NAME}-workflow-controller`, 'app.kubernetes.io/instance': RELEASE_NAME } },
            endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
          },
        }],
      });
    }

    this.portForwardCommand = `kubectl -n ${this.namespace} port-forward svc/${this.serverServiceName} ${SERVER_PORT}:${SERVER_PORT}`;
    this.record(stack, settings, props.database === undefined, props.monitoring !== undefined);
  }

  /** Shell command that prints a short-lived token to submit workflows in `namespace` with (needs kubectl access there). */
  public tokenCommand(namespace: string): string {
    return `kubectl -n ${namespace} create token ${SUBMITTER_SERVICE_ACCOUNT} --duration=8h`;
  }

  /**
   * The workflow pods' service account (bound to the identity), and a submitter service account with a role to
   * create, watch and delete workflows, templates and cron workflows in the namespace and read their pods' logs.
   */
  private workflowNamespaceObjects(scope: Construct, cluster: IKubernetesCluster, namespace: string, namespaceResource: ITerraformDependable,
    identity: IWorkloadIdentity, labels: { [key: string]: string }): ITerraformDependable[] {
    const provider = cluster.kubernetesProvider;
    const after = [...cluster.workloadPrerequisites, namespaceResource];
    const workflowSa = new ServiceAccountV1(scope, 'ServiceAccount', {
      provider,
      dependsOn: [...after, ...identity.prerequisites],
      metadata: {
        name: WORKFLOW_SERVICE_ACCOUNT, namespace, labels,
        ...(identity.serviceAccountAnnotations ? { annotations: identity.serviceAccountAnnotations } : {}),
      },
    });
    const submitter = new ServiceAccountV1(scope, 'SubmitterServiceAccount', {
      provider, dependsOn: after, metadata: { name: SUBMITTER_SERVICE_ACCOUNT, namespace, labels },
      automountServiceAccountToken: false,
    });
    const role = new RoleV1(scope, 'SubmitterRole', {
      provider, dependsOn: after, metadata: { name: SUBMITTER_ROLE, namespace, labels },
      rule: [
        {
          apiGroups: ['argoproj.io'],
          resources: ['workflows', 'workflowtemplates', 'cronworkflows', 'workfloweventbindings'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
        },
        { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults', 'workflowartifactgctasks'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods', 'pods/log', 'events'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    const binding = new RoleBindingV1(scope, 'SubmitterBinding', {
      provider, dependsOn: [role, submitter], metadata: { name: SUBMITTER_ROLE, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SUBMITTER_ROLE },
      subject: [{ kind: 'ServiceAccount', name: SUBMITTER_SERVICE_ACCOUNT, namespace }],
    });
    return [workflowSa, binding];
  }

  /**
   * A team namespace denies all egress but DNS and the platform services: workflow pods (and only they) also
   * reach the Kubernetes API and the object store on 443, and the extra addresses given.
   */
  private teamEgress(scope: Construct, cluster: IKubernetesCluster, namespace: string, namespaceResource: ITerraformDependable,
    settings: ResolvedSettings): NetworkPolicyV1 {
    return new NetworkPolicyV1(scope, 'Egress', {
      provider: cluster.kubernetesProvider,
      dependsOn: [...cluster.workloadPrerequisites, namespaceResource],
      metadata: { name: 'argo-workflow-egress', namespace },
      spec: {
        podSelector: { matchExpressions: [{ key: 'workflows.argoproj.io/workflow', operator: 'Exists' }] },
        policyTypes: ['Egress'],
        egress: [
          { to: settings.httpsEgressCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: '443' }] },
          ...settings.egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: [{ protocol: 'TCP', port: String(rule.port) }] })),
        ],
      },
    });
  }

  private record(stack: PlatformStack, s: ResolvedSettings, ownDatabase: boolean, scraped: boolean): void {
    const chart = ChartCatalog.ARGO_WORKFLOWS;
    const namespaces = this.workflowNamespaces;
    stack.addComponent({
      path: this.node.path, name: 'Pipelines',
      description: `Argo Workflows ${chart.appVersion} (chart ${chart.chart} ${chart.version}) in ${this.namespace}: server with client-token ` +
        `authentication over TLS, workflows in ${namespaces.join(', ')}; artifacts and step logs in a bucket of their own (argo-artifacts) ` +
        `through workload identity; archive (${s.archiveTtlDays} d) in database ${DB_NAME} on ${ownDatabase ? 'its own PostgreSQL' : 'the platform\'s PostgreSQL'} as role ${DB_ROLE}; ` +
        `at most ${s.parallelism} workflows (${s.namespaceParallelism} per namespace), finished ones deleted after ${s.workflowTtlDays} d` +
        `${scraped ? '; controller metrics scraped by Prometheus' : ''}`,
    });
    const example = namespaces[0];
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Submit a workflow to Argo Workflows',
      detail: `The Argo Server has no ingress and accepts only Kubernetes bearer tokens. Forward its port, mint a token of the \`${SUBMITTER_SERVICE_ACCOUNT}\` ` +
        `service account of your workflow namespace (${namespaces.join(', ')}), and submit with the argo CLI, or paste "Bearer <token>" into ` +
        `https://localhost:${SERVER_PORT} (self-signed certificate). Workflow pods run as \`${WORKFLOW_SERVICE_ACCOUNT}\`, which may use the ` +
        'artifact bucket; kubectl users can also `kubectl create -f workflow.yaml -n <namespace>`.',
      command: [
        this.portForwardCommand,
        `export ARGO_SERVER=localhost:${SERVER_PORT} ARGO_SECURE=true ARGO_INSECURE_SKIP_VERIFY=true ARGO_NAMESPACE=${example}`,
        `export ARGO_TOKEN="Bearer $(${this.tokenCommand(example)})"`,
        'argo submit --watch https://raw.githubusercontent.com/argoproj/argo-workflows/main/examples/hello-world.yaml',
      ].join('\n'),
    });
    this.registerRestoreClients(stack);
  }

  /** After a restore in the DR region, the release moves to the restored archive database and artifact bucket. */
  private registerRestoreClients(stack: PlatformStack): void {
    const chart = ChartCatalog.ARGO_WORKFLOWS;
    const upgrade = `helm upgrade ${RELEASE_NAME} ${chart.chart} --repo ${chart.repository} --version ${chart.version} -n ${this.namespace} --reuse-values --wait`;
    const client = `Argo Workflows (Helm release \`${RELEASE_NAME}\` in namespace \`${this.namespace}\`)`;
    const registered = (store: Construct) => stack.dataStores.stores.some((e) => e.store.path === store.node.path);
    if (registered(this.database)) {
      stack.dataStores.addClient(this.database.node.path, {
        name: client,
        repoint: {
          title: 'Point the Argo workflow archive at the restored instance',
          detail: `Run after the \`${DB_ROLE}\` login is restored, so the controller and server log in.`,
          commands: [`${upgrade} \\\n  --set-string controller.persistence.postgresql.host="$ENDPOINT"`],
        },
      });
    }
    if (registered(this.artifactStore)) {
      const key = this.artifactStore.url.startsWith('gs://') ? 'gcs' : 's3';
      stack.dataStores.addClient(this.artifactStore.node.path, {
        name: client,
        repoint: {
          title: 'Point Argo\'s artifact repository at the restored bucket',
          detail: `The server's and the workflow pods' identities in the DR deployment must be allowed to use that bucket and its key; grant them first.`,
          commands: [`${upgrade} \\\n  --set-string artifactRepository.${key}.bucket="$ENDPOINT"`],
        },
      });
    }
  }
}

interface ResolvedSettings {
  readonly namespace: string;
  readonly ownNamespaces: string[];
  readonly parallelism: number;
  readonly namespaceParallelism: number;
  readonly workflowTtlDays: number;
  readonly archiveTtlDays: number;
  readonly serverReplicas: number;
  readonly httpsEgressCidrs: string[];
  readonly egress: TeamEgressRule[];
}

/**
 * The chart's artifact repository block for the store: S3 with the SDK's default credential chain (EKS Pod
 * Identity), or GCS with Workload Identity (no key secret).
 */
function artifactRepositoryFor(scope: Construct, store: IObjectStore): { [key: string]: any } {
  const url = store.url;
  if (typeof url === 'string' && url.startsWith('s3://')) {
    return {
      s3: {
        bucket: store.bucketName, region: store.region, endpoint: `s3.${store.region}.amazonaws.com`, insecure: false, useSDKCreds: true,
        // The chart quotes this key without templating it: Argo expands the variables per step.
        keyFormat: '{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}',
      },
    };
  }
  if (typeof url === 'string' && url.startsWith('gs://')) {
    // The chart passes the gcs block through `tpl`, so Argo's variables are escaped from Helm.
    return { gcs: { bucket: store.bucketName, keyFormat: '{{ "{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}" }}' } };
  }
  throw new ValidationError(scope, 'cloud', url, 'gives an object store Argo Workflows cannot use through workload identity yet (S3 and GCS only)',
    'Run Pipelines on AWS or Google Cloud, or add this cloud\'s artifact repository to Pipelines.');
}

/** Checks the kinds of the props before the constructor reads them. */
function validateInput(scope: Construct, props: PipelinesProps): void {
  requireProps(scope, props, '{ cluster, cloud }');
  requireConstruct(scope, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
    "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
  requireConstruct(scope, 'cloud', props.cloud, 'a cloud (ICloudServices, e.g. an AwsCloud)', isCloudServices, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
  if (props.monitoring !== undefined) {
    requireConstruct(scope, 'monitoring', props.monitoring, 'a Monitoring', (v) => v instanceof Monitoring,
      'Pass the Monitoring construct of the stack, or leave it unset.');
  }
  if (props.database !== undefined) {
    requireConstruct(scope, 'database', props.database, 'a PostgreSQL database (IPostgresDatabase, e.g. ExperimentTracking.database)',
      (v) => v !== null && typeof v === 'object' && typeof v.addApplicationRole === 'function' && v.node !== undefined,
      'Pass the platform\'s database, e.g. tracking.database, or leave it unset for a new one.');
  }
  requireList(scope, 'teams', props.teams, { example: '[research]' });
  (props.teams ?? []).forEach((team, i) => requireConstruct(scope, `teams[${i}]`, team, 'a Team', (v) => v instanceof Team,
    "Pass Team constructs, e.g. new Team(stack, 'Research', { cluster, name: 'research' })."));
  requireList(scope, 'workflowNamespaces', props.workflowNamespaces, { example: "['workflows']" });
  requireList(scope, 'workflowHttpsEgressCidrs', props.workflowHttpsEgressCidrs, { minLength: 1, example: "['10.40.0.0/16']" });
  requireList(scope, 'workflowEgress', props.workflowEgress, { example: "[{ cidr: '169.254.170.23/32', port: 80 }]" });
  checkBucketName(scope, 'artifactBucketName', props.artifactBucketName);
}

function resolveSettings(scope: Construct, props: PipelinesProps): ResolvedSettings {
  const namespace = props.namespace ?? 'argo';
  checkDnsLabel(scope, 'namespace', namespace, 'namespace');
  if (RESERVED_NAMESPACES.includes(namespace)) {
    throw new ValidationError(scope, 'namespace', namespace, 'is a namespace Kubernetes or another part of the platform uses',
      'Choose a namespace of its own, e.g. "argo".');
  }
  const teams = props.teams ?? [];
  const ownNamespaces = props.workflowNamespaces ?? (teams.length === 0 ? ['workflows'] : []);
  if (teams.some((t) => t.namespace === namespace)) {
    throw new ValidationError(scope, 'namespace', namespace, 'is a team\'s namespace: the controller and server need one of their own',
      'Choose another namespace, e.g. "argo".');
  }
  const seen = new Map<string, string>();
  teams.forEach((t, i) => {
    if (seen.has(t.namespace)) {
      throw new ValidationError(scope, `teams[${i}]`, t.namespace, `repeats the namespace of ${seen.get(t.namespace)}`, 'List each team once.');
    }
    seen.set(t.namespace, `teams[${i}]`);
  });
  ownNamespaces.forEach((name, i) => {
    const prop = `workflowNamespaces[${i}]`;
    checkDnsLabel(scope, prop, name, 'namespace');
    if (isUnresolved(name)) {
      throw new ValidationError(scope, prop, name, 'must be known at synth (it names constructs and RBAC objects)', 'Pass a literal namespace name.');
    }
    if (name === namespace) {
      throw new ValidationError(scope, prop, name, 'is the controller\'s namespace: workflows run apart from the server and its database secret',
        'Choose another namespace, e.g. "workflows".');
    }
    if (RESERVED_NAMESPACES.includes(name)) {
      throw new ValidationError(scope, prop, name, 'is a namespace Kubernetes or another part of the platform uses', 'Choose a namespace of its own, e.g. "workflows".');
    }
    if (seen.has(name)) {
      throw new ValidationError(scope, prop, name, `is already a workflow namespace (${seen.get(name)})`,
        'List each namespace once; a team\'s namespace comes with the team.');
    }
    seen.set(name, prop);
  });
  const parallelism = props.parallelism ?? 100;
  checkInteger(scope, 'parallelism', parallelism, 1, 10000);
  const namespaceParallelism = props.namespaceParallelism ?? Math.min(20, parallelism);
  checkInteger(scope, 'namespaceParallelism', namespaceParallelism, 1, 10000);
  if (!isUnresolved(parallelism) && !isUnresolved(namespaceParallelism) && namespaceParallelism > parallelism) {
    throw new ValidationError(scope, 'namespaceParallelism', namespaceParallelism, `is more than parallelism (${parallelism}), the cluster-wide cap`,
      `Set namespaceParallelism at most ${parallelism}, or raise parallelism.`);
  }
  const workflowTtlDays = props.workflowTtlDays ?? 7;
  checkInteger(scope, 'workflowTtlDays', workflowTtlDays, 1, 365);
  const archiveTtlDays = props.archiveTtlDays ?? 180;
  checkInteger(scope, 'archiveTtlDays', archiveTtlDays, 1, 3650);
  if (!isUnresolved(archiveTtlDays) && !isUnresolved(workflowTtlDays) && archiveTtlDays < workflowTtlDays) {
    throw new ValidationError(scope, 'archiveTtlDays', archiveTtlDays, `is shorter than workflowTtlDays (${workflowTtlDays}): workflows would leave the ` +
      'archive while still in the cluster', `Set archiveTtlDays to at least ${workflowTtlDays}.`);
  }
  const serverReplicas = props.serverReplicas ?? 2;
  checkInteger(scope, 'serverReplicas', serverReplicas, 1, 10);
  const httpsEgressCidrs = props.workflowHttpsEgressCidrs ?? ['0.0.0.0/0'];
  httpsEgressCidrs.forEach((cidr, i) => checkCidr(scope, `workflowHttpsEgressCidrs[${i}]`, cidr, 0, 32));
  const egress = props.workflowEgress ?? [];
  egress.forEach((rule, i) => {
    if (rule?.cidr === undefined || rule?.port === undefined) {
      throw new ValidationError(scope, `workflowEgress[${i}]`, rule, 'needs a cidr and a port', "Pass e.g. { cidr: '169.254.170.23/32', port: 80 }.");
    }
    checkCidr(scope, `workflowEgress[${i}].cidr`, rule?.cidr, 0, 32);
    checkInteger(scope, `workflowEgress[${i}].port`, rule?.port, 1, 65535);
  });
  return { namespace, ownNamespaces, parallelism, namespaceParallelism, workflowTtlDays, archiveTtlDays, serverReplicas, httpsEgressCidrs, egress };
}
