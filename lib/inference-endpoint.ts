import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { CostAllocation } from './core/cost-allocation';
import { ValidationError } from './core/errors';
import { IWorkloadIdentity } from './core/interfaces';
import { DeploymentPhase } from './core/platform-report';
import { PlatformStack } from './core/platform-stack';
import { checkDnsLabel, checkEnum, checkInteger, checkPattern, claimUnique, isUnresolved, requireConstruct, requireProps } from './core/validate';
import { GpuNodePool } from './gpu-node-pool';
import { ManifestChart } from './k8s/manifest-chart';
import { ModelRegistry } from './model-registry';
import type { ModelServing } from './model-serving';
import { Team } from './team';

/** Model formats KServe's ClusterServingRuntimes (kserve-runtime-configs v0.20.0) serve without a custom image. */
export enum ModelFormat {
  /** scikit-learn (kserve-sklearnserver). */
  SKLEARN = 'sklearn',
  /** XGBoost (kserve-xgbserver). */
  XGBOOST = 'xgboost',
  /** LightGBM (kserve-lgbserver). */
  LIGHTGBM = 'lightgbm',
  /** TensorFlow SavedModel (TensorFlow Serving). */
  TENSORFLOW = 'tensorflow',
  /** PyTorch (TorchServe). */
  PYTORCH = 'pytorch',
  /** ONNX (Triton). */
  ONNX = 'onnx',
  /** Hugging Face transformers (kserve-huggingfaceserver). */
  HUGGINGFACE = 'huggingface',
  /** MLflow model (MLServer). */
  MLFLOW = 'mlflow',
  /** PMML (kserve-pmmlserver). */
  PMML = 'pmml',
  /** PaddlePaddle (kserve-paddleserver). */
  PADDLE = 'paddle',
}

/** A new model version served beside the stable one, with a share of the traffic. */
export interface CanaryRelease {
  /** Name of the canary version (a DNS label, e.g. `v8`): names its Deployment `<endpoint>-<version>-predictor`. */
  readonly version: string;
  /** Path of the canary's model in the registry's model store, e.g. `fraud/v8`. */
  readonly modelPath: string;
  /** Percent of the requests the canary gets (0-100); 0 stages it without traffic. */
  readonly trafficPercent: number;
  /**
   * Tag of the canary's serving image in the registry's repository, when the endpoint serves a custom image.
   *
   * @default - the endpoint's imageTag
   */
  readonly imageTag?: string;
}

/** Options for {@link ModelServing.addEndpoint}. */
export interface InferenceEndpointOptions {
  /** Name of the InferenceService (a DNS label of at most 40 characters). */
  readonly name: string;
  /** Registry whose model store and image repository the endpoint serves from; its identity gets read-only access. */
  readonly registry: ModelRegistry;
  /** Name of the stable model version (a DNS label, e.g. `v7`): names the predictor. */
  readonly version: string;
  /** Path of the model in the registry's model store, e.g. `fraud/v7` (served from `<store url>/<path>`). */
  readonly modelPath: string;
  /**
   * Format of the model, served by KServe's runtime for it. Set this or imageTag.
   *
   * @default - none: imageTag must be set
   */
  readonly modelFormat?: ModelFormat;
  /**
   * Tag of a custom serving image in the registry's image repository (`<repositoryUrl>:<tag>`), which gets the
   * model in `/mnt/models` (STORAGE_URI) and listens on port 8080. It must run as a non-root user. Set this or
   * modelFormat.
   *
   * @default - none: modelFormat must be set
   */
  readonly imageTag?: string;
  /**
   * Team whose namespace the endpoint runs in (its quota, network policy and cost label apply).
   *
   * @default - the ModelServing's endpoint namespace
   */
  readonly team?: Team;
  /**
   * Fewest replicas of the stable version (at least 1 in raw deployment mode, 0 allowed in serverless mode).
   *
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas of the stable version (the autoscaler scales between the two on CPU use).
   *
   * @default - minReplicas + 2
   */
  readonly maxReplicas?: number;
  /**
   * CPU each replica requests and is limited to (a Kubernetes quantity).
   *
   * @default '1'
   */
  readonly cpu?: string;
  /**
   * Memory each replica requests and is limited to (a Kubernetes quantity).
   *
   * @default '2Gi'
   */
  readonly memory?: string;
  /**
   * GPU pool the replicas run on (nodeSelector on its pool label, toleration of the GPU taint).
   *
   * @default - CPU nodes
   */
  readonly gpuPool?: GpuNodePool;
  /**
   * GPUs per replica (`nvidia.com/gpu`), on gpuPool.
   *
   * @default - 1 with a gpuPool, else none
   */
  readonly gpus?: number;
  /**
   * A new version served beside the stable one with a share of the traffic.
   *
   * @default - no canary
   */
  readonly canary?: CanaryRelease;
}

/** Properties of an {@link InferenceEndpoint}. */
export interface InferenceEndpointProps extends InferenceEndpointOptions {
  /** The KServe installation. */
  readonly serving: ModelServing;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MODEL_PATH = /^(?!\/)(?!.*\/\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._\-=/]{1,1024}$/;
/** Extended resource the NVIDIA device plugin advertises, and the taint GPU pools carry. */
const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * One model served by KServe: an InferenceService (through a Helm chart the library writes, after KServe's CRDs,
 * controller and runtimes) that serves a version from the ModelRegistry's model store, read with a workload
 * identity of its own that has read-only access to the store and the image repository (no keys); with a
 * runtime for the model's format or a custom image from the registry's repository; autoscaling bounds; on a GPU
 * pool when asked (GPU resources, the pool's node selector, the GPU taint tolerated); Pod Security `restricted`
 * for the predictor pods; and optionally a canary version with a share of the traffic, promoted or rolled back
 * by changing the props (or with the kubectl patches the report lists).
 *
 * @example
 * const endpoint = serving.addEndpoint('Fraud', {
 *   name: 'fraud', registry, version: 'v7', modelPath: 'fraud/v7', modelFormat: ModelFormat.SKLEARN,
 *   minReplicas: 2, maxReplicas: 6, canary: { version: 'v8', modelPath: 'fraud/v8', trafficPercent: 10 },
 * });
 */
export class InferenceEndpoint extends Construct {
  /** Name of the InferenceService. */
  public readonly name: string;
  /** Namespace it runs in. */
  public readonly namespace: string;
  /** Identity the predictor pods (and the storage initializer) run as. */
  public readonly identity: IWorkloadIdentity;
  /** Model URI of the stable version. */
  public readonly storageUri: string;
  /** Model URI of the canary version, when there is one. */
  public readonly canaryStorageUri?: string;
  /** The chart holding the InferenceService and its service account. */
  public readonly resource: ManifestChart;
  /** Cluster-internal URL of the endpoint. */
  public readonly url: string;
  /** kubectl command that promotes the canary (serves it as the stable version, 100% of traffic). */
  public readonly promoteCommand?: string;
  /** kubectl command that rolls the canary back (removes it; the stable version gets all traffic). */
  public readonly rollbackCommand?: string;

  constructor(scope: Construct, id: string, props: InferenceEndpointProps) {
    super(scope, id);
    validateEndpointInput(this, props);
    const stack = PlatformStack.ofConstruct(this);
    const { serving, registry } = props;
    const serverless = String(serving.mode) === 'Knative';
    this.name = props.name;
    this.namespace = props.team?.namespace ?? serving.endpointNamespace;
    const settings = resolveSettings(this, props, serverless);
    claimUnique(this, 'name', props.name, 'InferenceService per namespace of a cluster', `${serving.cluster.node.path}\u0000${this.namespace}\u0000${props.name}`,
      'Give each endpoint of a namespace its own name.');

    const serviceAccountName = `${props.name}-predictor`;
    this.identity = serving.cluster.newWorkloadIdentity(this, 'Identity', { namespace: this.namespace, serviceAccountName });
    // Read-only: models and serving images, nothing else.
    registry.grantRead(this.identity);

    const store = registry.modelStore;
    this.storageUri = `${store.url}/${props.modelPath}`;
    this.canaryStorageUri = props.canary ? `${store.url}/${props.canary.modelPath}` : undefined;
    const podLabels = {
      ...stack.costAllocation.tags,
      ...(props.team ? { [CostAllocation.TEAM_KEY]: props.team.name } : {}),
    };
    const pool = props.gpuPool;
    const placement = pool ? {
      nodeSelector: { 'mlops/gpu-pool': pool.nodeLabels['mlops/gpu-pool'] },
      // AWS taints GPU nodes nvidia.com/gpu=true, GKE nvidia.com/gpu=present: tolerate the key whatever its value.
      tolerations: [{ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }],
    } : {};
    const quantities: { [key: string]: string } = { cpu: settings.cpu, memory: settings.memory, ...(pool ? { [GPU_RESOURCE]: String(settings.gpus) } : {}) };
    const resources = { requests: quantities, limits: quantities };
    const containerSecurity = { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    const podCommon = {
      serviceAccountName,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      labels: podLabels,
      ...placement,
    };
    const server = (uri: string, imageTag?: string) => (imageTag !== undefined
      ? {
        containers: [{
          name: 'kserve-container',
          image: `${registry.imageRepository.repositoryUrl}:${imageTag}`,
          env: [{ name: 'STORAGE_URI', value: uri }],
          resources, securityContext: containerSecurity,
        }],
      }
      // The container name KServe gives the model server; the CRD requires it on a canary's model.
      : { model: { name: 'kserve-container', modelFormat: { name: props.modelFormat }, storageUri: uri, resources, securityContext: containerSecurity } });

    const canary = props.canary;
    let predictor: { [key: string]: any };
    let canaries: any[] | undefined;
    if (canary && serverless) {
      // Knative: the spec is the new revision, canaryTrafficPercent its share; the last fully rolled-out revision
      // keeps the rest.
      predictor = { ...podCommon, minReplicas: settings.minReplicas, maxReplicas: settings.maxReplicas, canaryTrafficPercent: canary.trafficPercent,
        ...server(this.canaryStorageUri!, canary.imageTag ?? props.imageTag) };
    } else {
      predictor = {
        ...podCommon,
        ...(serverless ? {} : {
          name: props.version,
          // Zero-downtime rollouts: a new pod must be ready before an old one goes (a GPU pool scales up for it).
          deploymentStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        }),
        minReplicas: settings.minReplicas, maxReplicas: settings.maxReplicas,
        ...server(this.storageUri, props.imageTag),
      };
      // KServe 0.20 raw deployment: each canary is a Deployment and Service `<name>-<version>-predictor`; no
      // autoscaling fields (its replicas follow its traffic share of the stable minReplicas).
      canaries = canary ? [{
        trafficPercent: canary.trafficPercent,
        predictor: { ...podCommon, name: canary.version, ...server(this.canaryStorageUri!, canary.imageTag ?? props.imageTag) },
      }] : undefined;
    }

    const after = props.team ? [props.team.namespaceResource] : [serving.endpointNamespaceResource];
    this.resource = new ManifestChart(this, 'Resource', {
      cluster: serving.cluster,
      releaseName: `isvc-${props.name}`,
      namespace: this.namespace,
      dependsOn: [...after, ...serving.prerequisites, ...this.identity.prerequisites],
      manifests: [
        {
          apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: {
            name: serviceAccountName, namespace: this.namespace, labels: podLabels,
            ...(this.identity.serviceAccountAnnotations ? { annotations: this.identity.serviceAccountAnnotations } : {}),
          },
        },
        {
          apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService',
          metadata: {
            name: props.name, namespace: this.namespace, labels: podLabels,
            annotations: { 'serving.kserve.io/deploymentMode': serving.mode },
          },
          spec: { predictor, ...(canaries ? { canary: canaries } : {}) },
        },
      ],
    });
    this.url = `http://${props.name}-predictor.${this.namespace}.svc.cluster.local`;
    if (canary) {
      const patch = (body: string) => `kubectl -n ${this.namespace} patch inferenceservice ${props.name} --type merge -p '${body}'`;
      if (serverless) {
        this.promoteCommand = patch('{"spec":{"predictor":{"canaryTrafficPercent":100}}}');
        this.rollbackCommand = patch('{"spec":{"predictor":{"canaryTrafficPercent":0}}}');
      } else {
        // The canary's live predictor becomes the stable one (keeping the stable replica bounds and rollout
        // strategy) and the canary entry goes: KServe retargets the stable Service to the canary's pods.
        this.promoteCommand = `kubectl -n ${this.namespace} get inferenceservice ${props.name} -o json \\\n` +
          "  | jq '.spec.predictor = (.spec.canary[0].predictor + (.spec.predictor | {minReplicas, maxReplicas, deploymentStrategy})) | del(.spec.canary)' \\\n" +
          `  | kubectl replace -f -`;
        this.rollbackCommand = `kubectl -n ${this.namespace} patch inferenceservice ${props.name} --type json -p '[{"op":"remove","path":"/spec/canary"}]'`;
      }
      if (!serverless && serving.gateway === undefined && canary.trafficPercent > 0) {
        Annotations.of(this).addWarning(`canary ${canary.version} gets ${canary.trafficPercent}% of the replicas but no share of the traffic through ` +
          `${props.name}-predictor: in raw deployment mode KServe 0.20 splits traffic only on Gateway API routes. Name a gateway on the ModelServing, ` +
          `or test the canary at its own Service ${props.name}-${canary.version}-predictor.`);
      }
    }
    this.record(stack, props, serverless);
    this.registerRestoreClient(stack, props);
  }

  /** After a restore in the DR region, the endpoint's model URIs move to the restored model store. */
  private registerRestoreClient(stack: PlatformStack, props: InferenceEndpointProps): void {
    const store = props.registry.modelStore;
    if (!stack.dataStores.stores.some((e) => e.store.path === store.node.path)) {
      return;
    }
    const rewrite = 'sub("^(?<s>[a-z0-9]+)://[^/]+"; "\\(.s)://\\($b)")';
    stack.dataStores.addClient(store.node.path, {
      name: `InferenceService ${props.name} in namespace ${this.namespace}`,
      repoint: {
        title: `Point endpoint ${props.name} at the restored model store`,
        detail: `Rewrites the bucket of every model URI of the InferenceService (stable and canary). The endpoint's identity in the DR ` +
          `deployment (\`${props.name}-predictor\` in \`${this.namespace}\`) must be allowed to read that store; grant it first. Then set the ` +
          'same store on the ModelRegistry in code, or the next deploy points the endpoint back.',
        commands: [
          `kubectl -n ${this.namespace} get inferenceservice ${props.name} -o json \\\n` +
          `  | jq --arg b "$ENDPOINT" '(.spec | .. | objects | select(has("storageUri")) | .storageUri) |= ${rewrite}\n` +
          `      | (.spec | .. | objects | select(.name? == "STORAGE_URI") | .value) |= ${rewrite}' \\\n` +
          '  | kubectl replace -f -',
        ],
      },
    });
  }

  private record(stack: PlatformStack, props: InferenceEndpointProps, serverless: boolean): void {
    const where = props.gpuPool ? `on GPU pool ${props.gpuPool.node.id} (${props.gpus ?? 1} GPU per replica)` : 'on CPU nodes';
    stack.addComponent({
      path: this.node.path, name: 'InferenceEndpoint',
      description: `InferenceService ${this.namespace}/${props.name} serving ${props.version} ` +
        `(${props.modelFormat ?? `image tag ${props.imageTag}`}) ${where}, ${props.minReplicas ?? 1}-${props.maxReplicas ?? (props.minReplicas ?? 1) + 2} replicas` +
        `${props.canary ? `, canary ${props.canary.version} at ${props.canary.trafficPercent}%` : ''}; read-only access to the model store as ` +
        `${this.namespace}/${props.name}-predictor. GPU cost is in the pool's cost lines.`,
    });
    if (props.canary && this.promoteCommand && this.rollbackCommand) {
      stack.addDeploymentStep({
        phase: DeploymentPhase.AFTER_DEPLOY,
        title: `Promote or roll back canary ${props.canary.version} of ${props.name}`,
        detail: `${props.canary.version} serves ${props.canary.trafficPercent}% of ${props.name}'s requests ${serverless ? '(Knative revision split)' : '(beside ' + props.version + ')'}. ` +
          'Watch its error rate and latency, then promote (first command) or roll back (second command). The durable way is to change the ' +
          `props and deploy: promote = version '${props.canary.version}', modelPath '${props.canary.modelPath}', no canary; roll back = remove canary. ` +
          'After a kubectl patch, make the same change in code, or the next deploy that touches this endpoint restores the code\'s state.',
        command: `${this.promoteCommand}\n${this.rollbackCommand}`,
      });
    }
  }
}

interface ResolvedEndpointSettings {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpu: string;
  readonly memory: string;
  readonly gpus: number;
}

function resolveSettings(scope: Construct, props: InferenceEndpointProps, serverless: boolean): ResolvedEndpointSettings {
  // 40: KServe names the canary's Deployment and Service `<name>-<version>-predictor`, a DNS label of 63 at most.
  checkPattern(scope, 'name', props.name, /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, 'a DNS label of at most 40 characters starting with a letter');
  checkDnsLabel(scope, 'version', props.version, 'predictor');
  checkPattern(scope, 'modelPath', props.modelPath, MODEL_PATH, 'a relative path in the model store, e.g. "fraud/v7" (no leading "/", no "." or ".." parts)');
  checkEnum(scope, 'modelFormat', props.modelFormat, ModelFormat, 'ModelFormat');
  if ((props.modelFormat === undefined) === (props.imageTag === undefined)) {
    throw new ValidationError(scope, props.imageTag === undefined ? 'modelFormat' : 'imageTag', props.imageTag ?? props.modelFormat,
      props.imageTag === undefined ? 'is required unless imageTag is set' : 'cannot be combined with modelFormat',
      'Set modelFormat (a KServe runtime serves the model) or imageTag (your serving image from the registry\'s repository), not both.');
  }
  checkImageTag(scope, 'imageTag', props.imageTag);
  const minReplicas = props.minReplicas ?? 1;
  checkInteger(scope, 'minReplicas', minReplicas, serverless ? 0 : 1, 1000);
  const maxReplicas = props.maxReplicas ?? minReplicas + 2;
  checkInteger(scope, 'maxReplicas', maxReplicas, 1, 1000);
  if (!isUnresolved(minReplicas) && !isUnresolved(maxReplicas) && minReplicas > maxReplicas) {
    throw new ValidationError(scope, 'minReplicas', minReplicas, `is greater than maxReplicas (${maxReplicas})`, 'Set minReplicas at most maxReplicas.');
  }
  const cpu = props.cpu ?? '1';
  const memory = props.memory ?? '2Gi';
  checkPattern(scope, 'cpu', cpu, QUANTITY, 'a Kubernetes quantity such as "1" or "500m"');
  checkPattern(scope, 'memory', memory, QUANTITY, 'a Kubernetes quantity such as "2Gi"');
  if (props.gpuPool !== undefined) {
    requireConstruct(scope, 'gpuPool', props.gpuPool, 'a GpuNodePool of this stack', (v) => v instanceof GpuNodePool && PlatformStack.ofConstruct(v) === PlatformStack.ofConstruct(scope),
      'Pass one of the stack\'s GpuNodePools (e.g. platform.gpuPools[0]).');
  }
  if (props.gpus !== undefined && props.gpuPool === undefined) {
    throw new ValidationError(scope, 'gpus', props.gpus, 'needs gpuPool: GPUs are only on GPU pools', 'Set gpuPool to the pool the replicas run on.');
  }
  const gpus = props.gpus ?? 1;
  if (props.gpuPool !== undefined) {
    checkInteger(scope, 'gpus', gpus, 1, 64);
    const spec = props.gpuPool.spec;
    // A time-sliced pool advertises more GPUs than it has; only an unshared pool bounds a pod by its physical count.
    const shared = Object.keys(props.gpuPool.nodeLabels).some((k) => k.startsWith('nvidia.com/'));
    if (!shared && gpus > spec.gpuCount) {
      throw new ValidationError(scope, 'gpus', gpus, `is more than a node of ${props.gpuPool.node.id} has (${spec.instanceType}: ${spec.gpuCount} x ${spec.gpuModel})`,
        `Request at most ${spec.gpuCount}, or serve on a pool of larger instances.`);
    }
  }
  const canary = props.canary;
  if (canary !== undefined) {
    if (canary === null || typeof canary !== 'object') {
      throw new ValidationError(scope, 'canary', canary, 'must be an object', "Pass e.g. { version: 'v8', modelPath: 'fraud/v8', trafficPercent: 10 }.");
    }
    checkDnsLabel(scope, 'canary.version', canary.version, 'predictor');
    if (canary.version === undefined) {
      throw new ValidationError(scope, 'canary.version', canary.version, 'is required', "Name the new version, e.g. 'v8'.");
    }
    if (canary.version === props.version) {
      throw new ValidationError(scope, 'canary.version', canary.version, 'is the stable version\'s name', 'Give the canary the new version\'s own name, e.g. "v8".');
    }
    if (`${props.name}-${canary.version}-predictor`.length > 63) {
      throw new ValidationError(scope, 'canary.version', canary.version, `makes the canary's Service name ${props.name}-${canary.version}-predictor longer than 63 characters`,
        'Use a shorter endpoint name or version.');
    }
    checkPattern(scope, 'canary.modelPath', canary.modelPath, MODEL_PATH, 'a relative path in the model store, e.g. "fraud/v8"');
    if (canary.modelPath === undefined) {
      throw new ValidationError(scope, 'canary.modelPath', canary.modelPath, 'is required', "Give the new version's path in the model store, e.g. 'fraud/v8'.");
    }
    if (canary.trafficPercent === undefined) {
      throw new ValidationError(scope, 'canary.trafficPercent', canary.trafficPercent, 'is required', 'Start with a small share, e.g. 10.');
    }
    checkInteger(scope, 'canary.trafficPercent', canary.trafficPercent, 0, 100);
    if (canary.imageTag !== undefined && props.imageTag === undefined) {
      throw new ValidationError(scope, 'canary.imageTag', canary.imageTag, 'needs imageTag on the endpoint: a runtime-served endpoint has no custom image',
        'Leave canary.imageTag unset, or serve the endpoint from a custom image.');
    }
    checkImageTag(scope, 'canary.imageTag', canary.imageTag);
  }
  return { minReplicas, maxReplicas, cpu, memory, gpus };
}

/** Image tags of the registry are immutable; `latest` would be neither immutable nor reproducible. */
function checkImageTag(scope: Construct, prop: string, tag: string | undefined): void {
  checkPattern(scope, prop, tag, IMAGE_TAG, 'an image tag (letters, digits, "_", "." and "-", at most 128)');
  if (tag === 'latest') {
    throw new ValidationError(scope, prop, tag, 'is not a version: the registry\'s tags are immutable and a rollback needs the exact image',
      'Tag serving images with their version or commit, e.g. "fraud-v8" or "3f2a1c9".');
  }
}

/** Checks the kinds of the props before the constructor reads them. */
function validateEndpointInput(scope: Construct, props: InferenceEndpointProps): void {
  requireProps(scope, props, "{ serving, name: 'fraud', registry, version: 'v7', modelPath: 'fraud/v7', modelFormat: ModelFormat.SKLEARN }");
  requireConstruct(scope, 'serving', props.serving, 'a ModelServing', (v) => v?.release !== undefined && v?.crdRelease !== undefined && typeof v?.addEndpoint === 'function',
    "Pass the stack's ModelServing, or call serving.addEndpoint(id, options).");
  requireConstruct(scope, 'registry', props.registry, 'a ModelRegistry', (v) => v instanceof ModelRegistry,
    "Pass the stack's ModelRegistry, e.g. platform.registry.");
  if (props.team !== undefined) {
    requireConstruct(scope, 'team', props.team, 'a Team', (v) => v instanceof Team, "Pass a Team of the stack, e.g. platform.teams[0].");
  }
  for (const prop of ['name', 'version', 'modelPath'] as const) {
    if (props[prop] === undefined) {
      throw new ValidationError(scope, prop, undefined, 'is required', `Set ${prop}, e.g. ${prop === 'name' ? '"fraud"' : prop === 'version' ? '"v7"' : '"fraud/v7"'}.`);
    }
  }
}
