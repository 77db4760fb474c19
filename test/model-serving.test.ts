import { App, Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { BackupPolicy } from '../lib/backup-policy';
import { GpuNodePool } from '../lib/gpu-node-pool';
import { InferenceEndpoint, InferenceEndpointOptions, ModelFormat } from '../lib/inference-endpoint';
import { CertManagerPrerequisite, ModelServing, ServingMode } from '../lib/model-serving';
import { ModelRegistry } from '../lib/model-registry';
import { Team } from '../lib/team';
import {
  addressOf, expectValidationError, helmRelease, helmValues, manifestObjects, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt,
  resourcesOfType, warningsUnder,
} from './helpers';

describe('ModelServing and InferenceEndpoint', () => {
  let json: any;
  let report: any;
  let markdown: string;
  let dir: string;
  let serving: ModelServing;
  let custom: { json: any; dir: string };
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const registry = new ModelRegistry(stack, 'Registry', { cloud });
    const pool = new GpuNodePool(stack, 'InferenceGpus', { cluster, instanceType: 'g6.xlarge', maxSize: 2 });
    serving = new ModelServing(stack, 'Serving', { cluster, certManager: CertManagerPrerequisite.preinstalled() });
    serving.addEndpoint('Fraud', {
      name: 'fraud', registry, version: 'v7', modelPath: 'fraud/v7', modelFormat: ModelFormat.SKLEARN, minReplicas: 2, maxReplicas: 6,
      canary: { version: 'v8', modelPath: 'fraud/v8', trafficPercent: 10 },
    });
    serving.addEndpoint('Llm', {
      name: 'llm', registry, version: 'r1', modelPath: 'llm/r1', imageTag: 'llm-server-1.4.2', gpuPool: pool, cpu: '4', memory: '16Gi',
    });
    new Team(stack, 'Research', { cluster, name: 'research' });
    new BackupPolicy(stack, 'Backups', { cloud });

    // A second stack: serverless mode, a gateway, an endpoint in a team namespace.
    const other = newPlatform(newStack({}, app, 'custom'));
    const otherRegistry = new ModelRegistry(other.stack, 'Registry', { cloud: other.cloud });
    const team = new Team(other.stack, 'Research', { cluster: other.cluster, name: 'research' });
    const otherServing = new ModelServing(other.stack, 'Serving', {
      cluster: other.cluster, certManager: CertManagerPrerequisite.installedBy([team.namespaceResource]), mode: ServingMode.SERVERLESS,
      namespace: 'kserve-system', gateway: 'envoy-gateway-system/ml', gatewayDomain: 'ml.example.com',
    });
    otherServing.addEndpoint('Churn', {
      name: 'churn', registry: otherRegistry, team, version: 'v1', modelPath: 'churn/v1', modelFormat: ModelFormat.XGBOOST, minReplicas: 0,
      canary: { version: 'v2', modelPath: 'churn/v2', trafficPercent: 20 },
    });
    new BackupPolicy(other.stack, 'Backups', { cloud: other.cloud });
    app.synth();
    ({ json, report, markdown, dir } = readStackOutput(app.outdir, 'test'));
    const out = readStackOutput(app.outdir, 'custom');
    custom = { json: out.json, dir: out.dir };
  });

  const isvc = (name: string, j = json, d = dir) => manifestObjects(d, helmRelease(j, `isvc-${name}`)).find((o) => o.kind === 'InferenceService');

  describe('KServe releases', () => {
    test('the three KServe v0.20.0 charts from ghcr.io, pinned', () => {
      for (const chart of ['kserve-crd', 'kserve-resources', 'kserve-runtime-configs']) {
        const release = resourcesOfType(json, 'helm_release').find((r) => r.chart === chart);
        expect(release).toMatchObject({ repository: 'oci://ghcr.io/kserve/charts', version: 'v0.20.0', atomic: true, wait: true });
      }
      expect(helmRelease(json, 'kserve-crd').chart).toBe('kserve-crd');
      expect(helmRelease(json, 'kserve').chart).toBe('kserve-resources');
    });

    test('CRDs first: controller after the CRDs, runtimes after the controller, InferenceServices after all three', () => {
      const crd = addressOf(json, 'helm_release', 'test/Serving/CrdRelease/Resource');
      const controller = addressOf(json, 'helm_release', 'test/Serving/Release/Resource');
      const runtimes = addressOf(json, 'helm_release', 'test/Serving/RuntimesRelease/Resource');
      expect(helmRelease(json, 'kserve').depends_on).toContain(crd);
      expect(helmRelease(json, 'kserve-runtime-configs').depends_on).toContain(controller);
      for (const name of ['fraud', 'llm']) {
        expect(helmRelease(json, `isvc-${name}`).depends_on).toEqual(expect.arrayContaining([crd, controller, runtimes]));
      }
    });

    test('raw deployment mode (Standard), no Ingress objects without a gateway, runtimes enabled', () => {
      const values = helmValues(helmRelease(json, 'kserve'));
      expect(values.kserve.controller.deploymentMode).toBe('Standard');
      expect(values.kserve.controller.gateway).toEqual({ disableIngressCreation: true, ingressGateway: { enableGatewayApi: false } });
      expect(helmValues(helmRelease(json, 'kserve-runtime-configs'))).toEqual({ kserve: { servingruntime: { enabled: true } } });
      expect(isvc('fraud').metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'Standard' });
    });

    test('serverless mode and a Gateway API gateway when asked', () => {
      const values = helmValues(helmRelease(custom.json, 'kserve'));
      expect(values.kserve.controller.deploymentMode).toBe('Knative');
      expect(values.kserve.controller.gateway).toEqual({
        domain: 'ml.example.com', disableIngressCreation: false,
        ingressGateway: { enableGatewayApi: true, kserveGateway: 'envoy-gateway-system/ml', createGateway: false },
      });
      expect(helmRelease(custom.json, 'kserve').namespace).toBe('kserve-system');
      expect(helmRelease(custom.json, 'kserve').depends_on).toContain(addressOf(custom.json, 'kubernetes_namespace_v1', 'custom/Serving/Namespace/Resource'));
    });

    test('cert-manager is a prerequisite: the controller release waits for what installs it', () => {
      expect(helmRelease(custom.json, 'kserve').depends_on).toContain(addressOf(custom.json, 'kubernetes_namespace_v1', 'custom/Research/Namespace'));
      const step = report.deploymentSteps.find((s: any) => s.title === 'Install cert-manager before KServe');
      expect(step).toMatchObject({ phase: 'BEFORE_DEPLOY' });
      expect(step.command).toContain('certificates.cert-manager.io');
    });

    test('controller and storage initializer satisfy Pod Security restricted', () => {
      const { kserve } = helmValues(helmRelease(json, 'kserve'));
      const restricted = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
      expect(kserve.controller.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(kserve.controller.containerSecurityContext).toMatchObject(restricted);
      expect(kserve.controller.rbacProxy.securityContext).toMatchObject(restricted);
      expect(kserve.storage.containerSecurityContext).toMatchObject(restricted);
      expect(kserve.controller.resources).toEqual({ requests: { cpu: '100m', memory: '300Mi' }, limits: { memory: '512Mi' } });
      expect(kserve.controller.podLabels).toMatchObject({ 'cost-center': 'cc-4512' });
      for (const ns of ['test/Serving/Namespace/Resource', 'test/Serving/EndpointNamespace/Resource']) {
        expect(resourceAt(json, 'kubernetes_namespace_v1', ns).metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
      }
    });
  });

  describe('InferenceService', () => {
    test('serves the model version from the registry store with the endpoint identity', () => {
      const spec = isvc('fraud').spec;
      expect(spec.predictor).toMatchObject({
        name: 'v7', serviceAccountName: 'fraud-predictor', minReplicas: 2, maxReplicas: 6,
        model: { modelFormat: { name: 'sklearn' }, storageUri: `s3://${refTo(json, 'aws_s3_bucket', 'test/Registry/Models/Resource', 'bucket')}/fraud/v7` },
        deploymentStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      });
      expect(isvc('fraud').metadata.namespace).toBe('serving');
      const sa = manifestObjects(dir, helmRelease(json, 'isvc-fraud')).find((o) => o.kind === 'ServiceAccount');
      expect(sa.metadata).toMatchObject({ name: 'fraud-predictor', namespace: 'serving' });
      expect(resourceAt(json, 'aws_eks_pod_identity_association', 'test/Serving/Fraud/Identity/Association'))
        .toMatchObject({ namespace: 'serving', service_account: 'fraud-predictor' });
      // Pods start after the identity is bound.
      expect(helmRelease(json, 'isvc-fraud').depends_on).toContain(addressOf(json, 'aws_eks_pod_identity_association', 'test/Serving/Fraud/Identity/Association'));
    });

    test('the identity may only read models and pull images', () => {
      const statements = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Serving/Fraud/Identity/Policy').policy).Statement;
      const actions: string[] = statements.flatMap((s: any) => s.Action);
      expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 'ecr:BatchGetImage']));
      expect(actions.filter((a) => /Put|Delete|Upload|Write/.test(a))).toEqual([]);
    });

    test('canary in raw mode: a named canary predictor with its traffic share, no autoscaling fields', () => {
      const spec = isvc('fraud').spec;
      expect(spec.canary).toEqual([{
        trafficPercent: 10,
        predictor: expect.objectContaining({
          name: 'v8', serviceAccountName: 'fraud-predictor',
          model: expect.objectContaining({ storageUri: `s3://${refTo(json, 'aws_s3_bucket', 'test/Registry/Models/Resource', 'bucket')}/fraud/v8` }),
        }),
      }]);
      expect(spec.canary[0].predictor.minReplicas).toBeUndefined();
      expect(spec.canary[0].predictor.maxReplicas).toBeUndefined();
      expect(spec.predictor.canaryTrafficPercent).toBeUndefined();
    });

    test('canary in serverless mode: canaryTrafficPercent on the new revision', () => {
      const spec = isvc('churn', custom.json, custom.dir).spec;
      expect(spec.canary).toBeUndefined();
      expect(spec.predictor).toMatchObject({ canaryTrafficPercent: 20, minReplicas: 0, model: { modelFormat: { name: 'xgboost' } } });
      expect(spec.predictor.model.storageUri).toMatch(/\/churn\/v2$/);
      expect(spec.predictor.deploymentStrategy).toBeUndefined();
    });

    test('Pod Security restricted for predictor pods, with requests and limits', () => {
      for (const predictor of [isvc('fraud').spec.predictor, isvc('fraud').spec.canary[0].predictor]) {
        expect(predictor.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(predictor.model.securityContext).toEqual({
          allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(predictor.model.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
        expect(predictor.labels).toMatchObject({ 'cost-center': 'cc-4512', 'team': 'ml-platform' });
      }
    });

    test('GPU endpoint: custom image from the registry, GPU resources, pool selector, GPU taint tolerated', () => {
      const predictor = isvc('llm').spec.predictor;
      expect(predictor.containers).toHaveLength(1);
      const container = predictor.containers[0];
      expect(container.name).toBe('kserve-container');
      expect(container.image).toBe(`${refTo(json, 'aws_ecr_repository', 'test/Registry/ServingImages/Resource', 'repository_url')}:llm-server-1.4.2`);
      expect(container.env).toEqual([{ name: 'STORAGE_URI', value: expect.stringMatching(/\/llm\/r1$/) }]);
      expect(container.resources).toEqual({ requests: { 'cpu': '4', 'memory': '16Gi', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '4', 'memory': '16Gi', 'nvidia.com/gpu': '1' } });
      expect(predictor.nodeSelector).toEqual({ 'mlops/gpu-pool': 'inferencegpus' });
      expect(predictor.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
      expect(predictor.model).toBeUndefined();
      expect(isvc('fraud').spec.predictor.nodeSelector).toBeUndefined();
    });

    test('an endpoint of a team runs in its namespace, billed to it, after the namespace', () => {
      const object = isvc('churn', custom.json, custom.dir);
      expect(object.metadata.namespace).toBe('research');
      expect(object.spec.predictor.labels).toMatchObject({ team: 'research' });
      expect(helmRelease(custom.json, 'isvc-churn').depends_on).toContain(addressOf(custom.json, 'kubernetes_namespace_v1', 'custom/Research/Namespace'));
    });

    test('report: components, promote and rollback commands, the canary warning without a gateway', () => {
      const names = report.components.map((c: any) => c.name);
      expect(names).toEqual(expect.arrayContaining(['ModelServing', 'InferenceEndpoint']));
      const step = report.deploymentSteps.find((s: any) => s.title === 'Promote or roll back canary v8 of fraud');
      expect(step.command).toContain("kubectl -n serving patch inferenceservice fraud --type json -p '[{\"op\":\"remove\",\"path\":\"/spec/canary\"}]'");
      expect(step.command).toContain('del(.spec.canary)');
      expect(markdown).toContain('Install cert-manager before KServe');
      expect(markdown).toContain('Make the metrics API available for endpoint autoscaling');
      expect(warningsUnder(serving).join('\n')).toMatch(/canary v8 gets 10% of the replicas but no share of the traffic/);
    });

    test('the restore runbook re-points each endpoint to the restored model store', () => {
      const runbook = fs.readFileSync(path.join(dir, 'restore-runbook.md'), 'utf8');
      expect(runbook).toContain('Point endpoint fraud at the restored model store');
      expect(runbook).toContain('kubectl -n serving get inferenceservice fraud -o json');
      expect(runbook).toMatch(/jq --arg b "\$\{MODELS_ENDPOINT\}"/);
    });

    test('no cost lines of its own: compute is priced by the nodes and GPU pools', () => {
      const lines = report.costEstimate?.lines ?? [];
      expect(lines.filter((l: any) => String(l.component).includes('/Serving'))).toEqual([]);
    });
  });

  describe('validations', () => {
    const setup = () => {
      const { stack, cloud, cluster } = newPlatform(newStack({}, Testing.app()));
      const registry = new ModelRegistry(stack, 'Registry', { cloud });
      const pool = new GpuNodePool(stack, 'Gpu', { cluster, instanceType: 'g6.xlarge' });
      const srv = new ModelServing(stack, 'Serving', { cluster, certManager: CertManagerPrerequisite.preinstalled() });
      const base: InferenceEndpointOptions = { name: 'fraud', registry, version: 'v7', modelPath: 'fraud/v7', modelFormat: ModelFormat.SKLEARN };
      return { stack, cluster, registry, pool, srv, base };
    };

    test('cert-manager is required, with what to install', () => {
      const { stack, cluster } = newPlatform(newStack({}, Testing.app()));
      expectValidationError(() => new ModelServing(stack, 'Serving', { cluster } as any), 'test/Serving', 'certManager',
        /is required: KServe 0.20's chart always renders a cert-manager Certificate.*CertManagerPrerequisite.preinstalled/);
    });

    test('mode, namespaces and gateway', () => {
      const { stack, cluster } = newPlatform(newStack({}, Testing.app()));
      const certManager = CertManagerPrerequisite.preinstalled();
      expectValidationError(() => new ModelServing(stack, 'A', { cluster, certManager, mode: 'RawDeployment' as any }), 'test/A', 'mode', /ServingMode/);
      expectValidationError(() => new ModelServing(stack, 'B', { cluster, certManager, namespace: 'kube-system' }), 'test/B', 'namespace', /already uses/);
      expectValidationError(() => new ModelServing(stack, 'C', { cluster, certManager, endpointNamespace: 'kserve' }), 'test/C', 'endpointNamespace', /must differ/);
      expectValidationError(() => new ModelServing(stack, 'D', { cluster, certManager, gateway: 'ml-gateway' }), 'test/D', 'gateway', /namespace\/name/);
    });

    test('one ModelServing per cluster', () => {
      const { srv, stack, cluster } = setup();
      expect(srv).toBeDefined();
      expectValidationError(() => new ModelServing(stack, 'Again', { cluster, certManager: CertManagerPrerequisite.preinstalled() }), 'test/Again', 'cluster',
        /already used by test\/Serving/);
    });

    test('canary percent out of 0-100', () => {
      const { srv, base } = setup();
      for (const trafficPercent of [101, -1, 12.5]) {
        expectValidationError(() => srv.addEndpoint(`E${String(trafficPercent).replace(/[^0-9]/g, '')}`, { ...base, canary: { version: 'v8', modelPath: 'fraud/v8', trafficPercent } }),
          `test/Serving/E${String(trafficPercent).replace(/[^0-9]/g, '')}`, 'canary.trafficPercent', /must be a whole number from 0 to 100/);
      }
    });

    test('canary version must differ from the stable one and keep names short', () => {
      const { srv, base } = setup();
      expectValidationError(() => srv.addEndpoint('A', { ...base, canary: { version: 'v7', modelPath: 'fraud/v8', trafficPercent: 10 } }), 'test/Serving/A',
        'canary.version', /is the stable version's name/);
      expectValidationError(() => srv.addEndpoint('B', { ...base, name: 'a'.repeat(40), canary: { version: 'v'.repeat(20), modelPath: 'x/y', trafficPercent: 10 } }),
        'test/Serving/B', 'canary.version', /longer than 63 characters/);
      expectValidationError(() => srv.addEndpoint('C', { ...base, canary: { version: 'v8', modelPath: 'fraud/v8', trafficPercent: 10, imageTag: 'x1' } }),
        'test/Serving/C', 'canary.imageTag', /needs imageTag on the endpoint/);
    });

    test('minReplicas greater than maxReplicas, and raw mode needs a replica', () => {
      const { srv, base } = setup();
      expectValidationError(() => srv.addEndpoint('A', { ...base, minReplicas: 5, maxReplicas: 2 }), 'test/Serving/A', 'minReplicas', /is greater than maxReplicas \(2\)/);
      expectValidationError(() => srv.addEndpoint('B', { ...base, minReplicas: 0 }), 'test/Serving/B', 'minReplicas', /from 1 to 1000/);
      expectValidationError(() => srv.addEndpoint('C', { ...base, maxReplicas: 0 }), 'test/Serving/C', 'maxReplicas', /from 1 to 1000/);
    });

    test('unknown GPU pool, GPUs without a pool, more GPUs than a node has', () => {
      const { srv, base, pool } = setup();
      expectValidationError(() => srv.addEndpoint('A', { ...base, gpuPool: 'Gpu' as any }), 'test/Serving/A', 'gpuPool', /must be a GpuNodePool of this stack/);
      const foreign = newPlatform(newStack({}, Testing.app(), 'other'));
      const otherPool = new GpuNodePool(foreign.stack, 'Gpu', { cluster: foreign.cluster, instanceType: 'g6.xlarge' });
      expectValidationError(() => srv.addEndpoint('B', { ...base, gpuPool: otherPool }), 'test/Serving/B', 'gpuPool', /must be a GpuNodePool of this stack/);
      expectValidationError(() => srv.addEndpoint('C', { ...base, gpus: 1 }), 'test/Serving/C', 'gpus', /needs gpuPool/);
      expectValidationError(() => srv.addEndpoint('D', { ...base, gpuPool: pool, gpus: 2 }), 'test/Serving/D', 'gpus', /more than a node of Gpu has \(g6.xlarge: 1 x .*L4\)/);
    });

    test('model format or image, never both; image tags are versions', () => {
      const { srv, base } = setup();
      expectValidationError(() => srv.addEndpoint('A', { ...base, modelFormat: undefined }), 'test/Serving/A', 'modelFormat', /is required unless imageTag is set/);
      expectValidationError(() => srv.addEndpoint('B', { ...base, imageTag: 'v1' }), 'test/Serving/B', 'imageTag', /cannot be combined with modelFormat/);
      expectValidationError(() => srv.addEndpoint('C', { ...base, modelFormat: undefined, imageTag: 'latest' }), 'test/Serving/C', 'imageTag', /is not a version/);
      expectValidationError(() => srv.addEndpoint('D', { ...base, modelFormat: 'SKLEARN' as any }), 'test/Serving/D', 'modelFormat', /ModelFormat/);
    });

    test('names, paths, quantities and the registry', () => {
      const { srv, base } = setup();
      expectValidationError(() => srv.addEndpoint('A', { ...base, name: 'Fraud' }), 'test/Serving/A', 'name', /DNS label of at most 40/);
      expectValidationError(() => srv.addEndpoint('B', { ...base, modelPath: '/fraud/v7' }), 'test/Serving/B', 'modelPath', /relative path/);
      expectValidationError(() => srv.addEndpoint('C', { ...base, modelPath: 'fraud/../v7' }), 'test/Serving/C', 'modelPath', /relative path/);
      expectValidationError(() => srv.addEndpoint('D', { ...base, cpu: 'two' }), 'test/Serving/D', 'cpu', /Kubernetes quantity/);
      expectValidationError(() => srv.addEndpoint('E', { ...base, registry: {} as any }), 'test/Serving/E', 'registry', /must be a ModelRegistry/);
      expectValidationError(() => srv.addEndpoint('F', { ...base, version: 'V7' }), 'test/Serving/F', 'version', /DNS label/);
    });

    test('named endpoints (platform props): unknown GPU pool or team by name', () => {
      const { srv, registry, pool, stack, cluster } = setup();
      const team = new Team(stack, 'Research', { cluster, name: 'research' });
      const base = { version: 'v7', modelPath: 'fraud/v7', modelFormat: ModelFormat.SKLEARN };
      expectValidationError(() => srv.addNamedEndpoints(registry, [{ ...base, name: 'a', gpuPool: 'Inference' }], [pool], [team]), 'test/Serving',
        'endpoints[0].gpuPool', /is not the name of a GPU pool of the platform.*Use one of Gpu/);
      expectValidationError(() => srv.addNamedEndpoints(registry, [{ ...base, name: 'b', team: 'fraud' }], [pool], [team]), 'test/Serving',
        'endpoints[0].team', /is not the name of a team of the platform.*Use one of research/);
      const [endpoint] = srv.addNamedEndpoints(registry, [{ ...base, name: 'c', gpuPool: 'Gpu', team: 'research' }], [pool], [team]);
      expect(endpoint.node.path).toBe('test/Serving/Endpoint-c');
      expect(endpoint.namespace).toBe('research');
      expect(srv.endpoints).toContain(endpoint);
    });

    test('one endpoint name per namespace', () => {
      const { srv, base } = setup();
      srv.addEndpoint('A', base);
      expectValidationError(() => srv.addEndpoint('B', base), 'test/Serving/B', 'name', /already used by test\/Serving\/A/);
    });

    test('InferenceEndpoint needs a ModelServing', () => {
      const { stack, base } = setup();
      expectValidationError(() => new InferenceEndpoint(stack, 'X', { ...base, serving: {} as any }), 'test/X', 'serving', /must be a ModelServing/);
    });
  });
});
