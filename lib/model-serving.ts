import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from './core/errors';
import { IKubernetesCluster } from './core/interfaces';
import { DeploymentPhase } from './core/platform-report';
import { PlatformStack } from './core/platform-stack';
import { checkDnsLabel, checkEnum, checkPattern, claimUnique, isKubernetesCluster, requireConstruct, requireList, requireProps } from './core/validate';
import { GpuNodePool } from './gpu-node-pool';
import { CanaryRelease, InferenceEndpoint, InferenceEndpointOptions, ModelFormat } from './inference-endpoint';
import { ChartCatalog } from './k8s/chart-catalog';
import { PinnedRelease } from './k8s/pinned-release';
import { PlatformNamespace } from './k8s/platform-namespace';
import { ModelRegistry } from './model-registry';
import { Team } from './team';

/** How KServe runs an InferenceService. */
export enum ServingMode {
  /**
   * Plain Kubernetes Deployments, Services and HorizontalPodAutoscalers (KServe 0.20 calls it `Standard`; the
   * older name `RawDeployment` is a deprecated alias). Needs nothing but KServe itself.
   */
  RAW_DEPLOYMENT = 'Standard',
  /**
   * Knative Services (scale to zero, revision-based canaries). Knative Serving and a networking layer (Istio or
   * Kourier) must already run on the cluster: the library does not install them.
   */
  SERVERLESS = 'Knative',
}

/**
 * Where the certificates of KServe's admission webhooks come from. KServe's chart (kserve-resources v0.20.0)
 * always renders a cert-manager `Certificate` for its webhook server and has cert-manager's CA injector fill
 * the webhooks' `caBundle`; it offers no self-signed or bring-your-own-Secret option. cert-manager is not one of
 * the library's pinned charts, so it is a prerequisite the stack must name.
 *
 * @example
 * // cert-manager already runs on the cluster (installed by the platform team):
 * CertManagerPrerequisite.preinstalled();
 * // or installed by this stack, e.g. an EKS add-on resource the KServe releases must wait for:
 * CertManagerPrerequisite.installedBy([certManagerAddon]);
 */
export class CertManagerPrerequisite {
  /** cert-manager (with its CRDs) already runs on the cluster, installed outside this stack. */
  public static preinstalled(): CertManagerPrerequisite {
    return new CertManagerPrerequisite([], 'installed outside the stack');
  }

  /** cert-manager is installed by these resources of the stack; KServe's releases wait for them. */
  public static installedBy(resources: ITerraformDependable[]): CertManagerPrerequisite {
    return new CertManagerPrerequisite([...(resources ?? [])], 'installed by the stack');
  }

  /** What KServe's controller release must be installed after. */
  public readonly prerequisites: ITerraformDependable[];
  /** How cert-manager gets onto the cluster, for the report. */
  public readonly description: string;

  private constructor(prerequisites: ITerraformDependable[], description: string) {
    this.prerequisites = prerequisites;
    this.description = description;
  }
}

/** Properties of a {@link ModelServing}. */
export interface ModelServingProps {
  /** Cluster KServe runs on. */
  readonly cluster: IKubernetesCluster;
  /**
   * cert-manager, which KServe's webhooks need (see {@link CertManagerPrerequisite}). Required: without it the
   * kserve-resources chart cannot be installed.
   */
  readonly certManager: CertManagerPrerequisite;
  /**
   * Deployment mode of every InferenceService.
   *
   * @default ServingMode.RAW_DEPLOYMENT
   */
  readonly mode?: ServingMode;
  /**
   * Namespace of the KServe controller (Pod Security `restricted`).
   *
   * @default 'kserve'
   */
  readonly namespace?: string;
  /**
   * Namespace of endpoints that do not belong to a Team (Pod Security `restricted`).
   *
   * @default 'serving'
   */
  readonly endpointNamespace?: string;
  /**
   * An existing Gateway API Gateway (`namespace/name`) KServe attaches HTTPRoutes to. In raw deployment mode a
   * canary's traffic share is applied on these routes only (weighted backends); without a gateway endpoints are
   * reached through their cluster-internal Services and a canary gets no share of the stable Service's traffic.
   * The Gateway API implementation (e.g. Envoy Gateway) is not installed by the library.
   *
   * @default - no Gateway API: cluster-internal Services only, no Ingress objects
   */
  readonly gateway?: string;
  /**
   * Domain of the host names KServe gives endpoints on the gateway (`<name>-<namespace>.<domain>`).
   *
   * @default 'example.com' (the chart's default; only used with a gateway)
   */
  readonly gatewayDomain?: string;
}

/**
 * An endpoint as a platform composition takes it: the GPU pool and the team by name (see
 * {@link ModelServing.addNamedEndpoints}).
 */
export interface NamedEndpointOptions {
  /** Name of the InferenceService (a DNS label of at most 40 characters); the construct ID is `Endpoint-<name>`. */
  readonly name: string;
  /** Name of the stable model version, e.g. `v7`. */
  readonly version: string;
  /** Path of the model in the registry's model store, e.g. `fraud/v7`. */
  readonly modelPath: string;
  /**
   * Format of the model, served by KServe's runtime for it. Set this or imageTag.
   *
   * @default - none: imageTag must be set
   */
  readonly modelFormat?: ModelFormat;
  /**
   * Tag of a custom serving image in the registry's image repository. Set this or modelFormat.
   *
   * @default - none: modelFormat must be set
   */
  readonly imageTag?: string;
  /**
   * Name of the GPU pool (its construct ID, e.g. `Gpu`) the replicas run on.
   *
   * @default - CPU nodes
   */
  readonly gpuPool?: string;
  /**
   * GPUs per replica.
   *
   * @default - 1 with a gpuPool
   */
  readonly gpus?: number;
  /**
   * Name of the team whose namespace the endpoint runs in.
   *
   * @default - the ModelServing's endpoint namespace
   */
  readonly team?: string;
  /**
   * Fewest replicas.
   *
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   *
   * @default - minReplicas + 2
   */
  readonly maxReplicas?: number;
  /**
   * CPU per replica.
   *
   * @default '1'
   */
  readonly cpu?: string;
  /**
   * Memory per replica.
   *
   * @default '2Gi'
   */
  readonly memory?: string;
  /**
   * A canary version with a share of the traffic.
   *
   * @default - no canary
   */
  readonly canary?: CanaryRelease;
}

/** Model serving as a platform composition's props take it. */
export interface PlatformServingOptions {
  /** cert-manager, which KServe's webhooks need. */
  readonly certManager: CertManagerPrerequisite;
  /**
   * Deployment mode.
   *
   * @default ServingMode.RAW_DEPLOYMENT
   */
  readonly mode?: ServingMode;
  /**
   * An existing Gateway API Gateway (`namespace/name`) for routes and weighted canary traffic.
   *
   * @default - cluster-internal Services only
   */
  readonly gateway?: string;
  /**
   * Domain of the endpoints' host names on the gateway.
   *
   * @default 'example.com'
   */
  readonly gatewayDomain?: string;
  /**
   * Endpoints to serve.
   *
   * @default - none
   */
  readonly endpoints?: NamedEndpointOptions[];
}

/** Namespaces Kubernetes or other parts of this library own. */
const RESERVED_NAMESPACES = [
  'default', 'kube-system', 'kube-public', 'kube-node-lease', 'external-secrets', 'gpu-operator', 'velero', 'kueue-system', 'mlflow',
  'monitoring', 'monitoring-node', 'opencost', 'logging', 'karpenter', 'cert-manager', 'knative-serving', 'istio-system',
];
const CRD_RELEASE = 'kserve-crd';
const RELEASE = 'kserve';
const RUNTIMES_RELEASE = 'kserve-runtime-configs';

/**
 * KServe (pinned v0.20.0) on a cluster: its CRDs first (release `kserve-crd`), then the controller and webhooks
 * (`kserve`, depending on the CRDs and on cert-manager), then the ClusterServingRuntimes (`kserve-runtime-configs`);
 * InferenceServices ({@link InferenceEndpoint}) depend on all three. Raw deployment mode by default (plain
 * Deployments and HPAs, no Knative or Istio), no Ingress objects unless a Gateway API gateway is named, the
 * controller and the storage initializer under Pod Security `restricted`, and a `restricted` namespace for
 * endpoints that are not a Team's.
 *
 * @example
 * const serving = new ModelServing(stack, 'Serving', { cluster, certManager: CertManagerPrerequisite.preinstalled() });
 * serving.addEndpoint('Fraud', { name: 'fraud', registry, version: 'v7', modelPath: 'fraud/v7', modelFormat: ModelFormat.SKLEARN });
 */
export class ModelServing extends Construct {
  /** The cluster. */
  public readonly cluster: IKubernetesCluster;
  /** Deployment mode of the endpoints. */
  public readonly mode: ServingMode;
  /** Namespace of the controller. */
  public readonly namespace: string;
  /** Namespace of endpoints without a Team. */
  public readonly endpointNamespace: string;
  /** The endpoint namespace resource (endpoints without a Team depend on it). */
  public readonly endpointNamespaceResource: ITerraformDependable;
  /** The Gateway API gateway, when one is named. */
  public readonly gateway?: string;
  /** The CRD release (installed first). */
  public readonly crdRelease: PinnedRelease;
  /** The controller and webhook release. */
  public readonly release: PinnedRelease;
  /** The ClusterServingRuntimes release. */
  public readonly runtimesRelease: PinnedRelease;
  /** Endpoints added so far. */
  public readonly endpoints: InferenceEndpoint[] = [];

  constructor(scope: Construct, id: string, props: ModelServingProps) {
    super(scope, id);
    validateServingInput(this, props);
    const stack = PlatformStack.ofConstruct(this);
    const { cluster } = props;
    this.cluster = cluster;
    this.mode = props.mode ?? ServingMode.RAW_DEPLOYMENT;
    const namespaceName = props.namespace ?? 'kserve';
    const endpointNamespace = props.endpointNamespace ?? 'serving';
    for (const [prop, value] of [['namespace', namespaceName], ['endpointNamespace', endpointNamespace]]) {
      checkDnsLabel(this, prop, value, 'namespace');
      if (RESERVED_NAMESPACES.includes(value)) {
        throw new ValidationError(this, prop, value, 'is a namespace Kubernetes, the library or a serving prerequisite already uses',
          `Choose a namespace of its own, e.g. "${prop === 'namespace' ? 'kserve' : 'serving'}".`);
      }
    }
    if (namespaceName === endpointNamespace) {
      throw new ValidationError(this, 'endpointNamespace', endpointNamespace, 'must differ from namespace: KServe\'s pod webhook skips the controller\'s namespace',
        'Leave endpointNamespace unset ("serving") or give it another name.');
    }
    checkPattern(this, 'gateway', props.gateway, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
      'a Gateway as "namespace/name", e.g. "envoy-gateway-system/ml-gateway"');
    checkPattern(this, 'gatewayDomain', props.gatewayDomain, /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a DNS domain, e.g. "ml.example.com"');
    claimUnique(this, 'cluster', cluster.node.path, 'ModelServing per cluster', cluster.node.path,
      'Keep one ModelServing per cluster and add every endpoint to it (serving.addEndpoint): two KServe controllers would fight over the same objects.');
    this.gateway = props.gateway;

    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: namespaceName });
    const endpoints = new PlatformNamespace(this, 'EndpointNamespace', { cluster, name: endpointNamespace });
    // Literal names: commands and uniqueness checks need them; the namespace resources are in every dependsOn.
    this.namespace = namespaceName;
    this.endpointNamespace = endpointNamespace;
    this.endpointNamespaceResource = endpoints.resource;
    const labels = stack.costAllocation.tags;
    const restrictedContainer = {
      allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    };

    // CRDs first, in a release of their own: the controller release and every InferenceService depend on it.
    this.crdRelease = new PinnedRelease(this, 'CrdRelease', {
      cluster, chart: ChartCatalog.KSERVE_CRD, releaseName: CRD_RELEASE, namespace: this.namespace, values: {}, dependsOn: [namespace.resource],
    });
    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.KSERVE_RESOURCES,
      releaseName: RELEASE,
      namespace: this.namespace,
      // The chart renders a cert-manager Certificate and Issuer: cert-manager's CRDs must exist first.
      dependsOn: [namespace.resource, this.crdRelease.resource, ...props.certManager.prerequisites],
      values: {
        kserve: {
          controller: {
            deploymentMode: this.mode,
            imagePullPolicy: 'IfNotPresent',
            podLabels: labels,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containerSecurityContext: restrictedContainer,
            rbacProxy: {
              securityContext: restrictedContainer,
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            },
            resources: { requests: { cpu: '100m', memory: '300Mi' }, limits: { memory: '512Mi' } },
            gateway: {
              ...(props.gatewayDomain !== undefined ? { domain: props.gatewayDomain } : {}),
              // Without a gateway no Ingress objects: the chart's default class `istio` would match no controller.
              disableIngressCreation: props.gateway === undefined,
              ingressGateway: props.gateway !== undefined
                ? { enableGatewayApi: true, kserveGateway: props.gateway, createGateway: false }
                : { enableGatewayApi: false },
            },
          },
          storage: {
            // The storage initializer (an init container of every predictor pod) runs under the endpoint
            // namespace's Pod Security level: restricted wants the seccomp profile too.
            containerSecurityContext: { ...restrictedContainer, readOnlyRootFilesystem: false },
          },
        },
      },
    });
    this.runtimesRelease = new PinnedRelease(this, 'RuntimesRelease', {
      cluster,
      chart: ChartCatalog.KSERVE_RUNTIME_CONFIGS,
      releaseName: RUNTIMES_RELEASE,
      namespace: this.namespace,
      // ClusterServingRuntimes are validated by the controller's webhook: the controller must be up.
      dependsOn: [this.release.resource],
      values: { kserve: { servingruntime: { enabled: true } } },
    });
    this.record(stack, props);
  }

  /** Serves a model version from the registry (an InferenceService) with KServe on this cluster. */
  public addEndpoint(id: string, options: InferenceEndpointOptions): InferenceEndpoint {
    const endpoint = new InferenceEndpoint(this, id, { ...options, serving: this });
    this.endpoints.push(endpoint);
    return endpoint;
  }

  /**
   * Adds endpoints whose GPU pool and team are given by name (what a platform's props hold), from one registry.
   * Throws a ValidationError naming `endpoints[i].gpuPool` or `endpoints[i].team` when no pool or team has that name.
   */
  public addNamedEndpoints(registry: ModelRegistry, endpoints: NamedEndpointOptions[], gpuPools: GpuNodePool[], teams: Team[]): InferenceEndpoint[] {
    requireList(this, 'endpoints', endpoints, { example: "[{ name: 'fraud', version: 'v7', modelPath: 'fraud/v7', modelFormat: ModelFormat.SKLEARN }]" });
    return (endpoints ?? []).map((e, i) => {
      const gpuPool = e.gpuPool === undefined ? undefined : gpuPools.find((p) => p.node.id === e.gpuPool);
      if (e.gpuPool !== undefined && gpuPool === undefined) {
        throw new ValidationError(this, `endpoints[${i}].gpuPool`, e.gpuPool, 'is not the name of a GPU pool of the platform',
          gpuPools.length > 0 ? `Use one of ${gpuPools.map((p) => p.node.id).join(', ')}.` : 'Add a GPU pool, or serve on CPU nodes (leave gpuPool unset).');
      }
      const team = e.team === undefined ? undefined : teams.find((t) => t.name === e.team);
      if (e.team !== undefined && team === undefined) {
        throw new ValidationError(this, `endpoints[${i}].team`, e.team, 'is not the name of a team of the platform',
          teams.length > 0 ? `Use one of ${teams.map((t) => t.name).join(', ')}.` : 'Add the team, or leave team unset.');
      }
      return this.addEndpoint(`Endpoint-${e.name}`, { ...e, registry, gpuPool, team });
    });
  }

  /** What an InferenceService must be created after: the CRDs, the controller's webhooks and the runtimes. */
  public get prerequisites(): ITerraformDependable[] {
    return [this.crdRelease.resource, this.release.resource, this.runtimesRelease.resource];
  }

  private record(stack: PlatformStack, props: ModelServingProps): void {
    const chart = ChartCatalog.KSERVE_RESOURCES;
    const serverless = this.mode === ServingMode.SERVERLESS;
    stack.addComponent({
      path: this.node.path, name: 'ModelServing',
      description: `KServe ${chart.appVersion} (charts kserve-crd, kserve-resources, kserve-runtime-configs ${chart.version}), ` +
        `${serverless ? 'serverless (Knative) mode' : 'raw deployment mode'}, controller in ${this.namespace} (restricted), endpoints in ` +
        `${this.endpointNamespace} or their team's namespace; ${this.gateway ? `HTTPRoutes on gateway ${this.gateway}` : 'cluster-internal Services only'}; ` +
        `cert-manager ${props.certManager.description}. Compute runs on the system nodes and the GPU pools, which price it.`,
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Install cert-manager before KServe',
      detail: 'KServe 0.20\'s chart needs cert-manager for its webhook certificates (a Certificate and an Issuer, and the CA injector fills ' +
        'the webhooks\' caBundle); the library does not install it. Install cert-manager with its CRDs on the cluster before the first deploy ' +
        '(for example the Jetstack chart, or your cloud\'s managed cert-manager add-on), then check that its CRDs and pods are there.',
      command: 'kubectl get crd certificates.cert-manager.io issuers.cert-manager.io\nkubectl -n cert-manager get pods',
    });
    if (!serverless) {
      stack.addDeploymentStep({
        phase: DeploymentPhase.BEFORE_DEPLOY,
        title: 'Make the metrics API available for endpoint autoscaling',
        detail: 'In raw deployment mode KServe scales each endpoint with a HorizontalPodAutoscaler on CPU use, which reads the ' +
          'metrics.k8s.io API. The library does not install metrics-server: without it endpoints stay at minReplicas (the HPA reports ' +
          'FailedGetResourceMetric). Install it (e.g. your cloud\'s metrics-server add-on) and check the API answers.',
        command: 'kubectl get apiservice v1beta1.metrics.k8s.io\nkubectl top nodes',
      });
    }
    if (serverless) {
      stack.addDeploymentStep({
        phase: DeploymentPhase.BEFORE_DEPLOY,
        title: 'Install Knative Serving and its networking layer before KServe',
        detail: 'ModelServing runs in serverless mode: InferenceServices become Knative Services. Knative Serving and a networking layer ' +
          '(Istio or Kourier) must run on the cluster; the library does not install them.',
        command: 'kubectl get crd services.serving.knative.dev\nkubectl -n knative-serving get pods',
      });
    }
  }
}

/** Checks the kinds of the props before the constructor reads them. */
function validateServingInput(scope: Construct, props: ModelServingProps): void {
  requireProps(scope, props, '{ cluster, certManager: CertManagerPrerequisite.preinstalled() }');
  requireConstruct(scope, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
    "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
  if (!(props.certManager instanceof CertManagerPrerequisite)) {
    throw new ValidationError(scope, 'certManager', props.certManager,
      'is required: KServe 0.20\'s chart always renders a cert-manager Certificate for its webhooks, and cert-manager is not a chart the library installs',
      'Install cert-manager on the cluster first and pass CertManagerPrerequisite.preinstalled(), or CertManagerPrerequisite.installedBy([...]) ' +
      'with the resources of this stack that install it.');
  }
  requireList(scope, 'certManager.prerequisites', props.certManager.prerequisites, { example: '[certManagerRelease]' });
  checkEnum(scope, 'mode', props.mode, ServingMode, 'ServingMode');
}
