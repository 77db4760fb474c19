import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { ExperimentTracking } from '../lib/experiment-tracking';
import { Monitoring } from '../lib/monitoring';
import { Pipelines, PipelinesProps } from '../lib/pipelines';
import { Team } from '../lib/team';
import {
  addressOf, expectValidationError, helmRelease, helmValues, manifestObjects, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt,
  resourcesOfType, synthStack,
} from './helpers';
import { newGke } from './gcp/gcp-test-helpers';

describe('Pipelines', () => {
  let json: any;
  let report: any;
  let dir: string;
  let bare: any;
  let bareReport: any;
  let pipelines: Pipelines;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const tracking = new ExperimentTracking(stack, 'Tracking', { cluster, cloud });
    const monitoring = new Monitoring(stack, 'Monitoring', { cluster, cloud, clusterBackups: false });
    const research = new Team(stack, 'Research', { cluster, name: 'research' });
    pipelines = new Pipelines(stack, 'Pipelines', {
      cluster, cloud, database: tracking.database, monitoring, teams: [research], workflowNamespaces: ['batch'],
      workflowEgress: [{ cidr: '169.254.170.23/32', port: 80 }], parallelism: 50, namespaceParallelism: 10, workflowTtlDays: 3,
    });
    const other = newPlatform(newStack({}, app, 'bare'));
    new Pipelines(other.stack, 'Pipelines', { cluster: other.cluster, cloud: other.cloud, serverReplicas: 1 });
    app.synth();
    ({ json, report, dir } = readStackOutput(app.outdir, 'test'));
    ({ json: bare, report: bareReport } = readStackOutput(app.outdir, 'bare'));
  });

  const release = (j = json) => helmRelease(j, 'argo-workflows');
  const values = (j = json) => helmValues(release(j));

  test('argo-workflows 1.0.18 (Argo v4.0.6), atomic, in a restricted namespace of its own', () => {
    expect(release()).toMatchObject({
      chart: 'argo-workflows', version: '1.0.18', repository: 'https://argoproj.github.io/argo-helm', atomic: true, namespace: 'argo',
    });
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Pipelines/Namespace/Resource');
    expect(ns.metadata).toMatchObject({ name: 'argo', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'team': 'ml-platform' } });
    expect(values().crds).toEqual({ install: true, full: false, keep: true });
    expect(values().commonLabels).toMatchObject({ 'team': 'ml-platform', 'cost-center': 'cc-4512' });
  });

  test('the server authenticates every request with the caller\'s Kubernetes token over TLS, never in server mode', () => {
    for (const j of [json, bare]) {
      const server = values(j).server;
      expect(server.authModes).toEqual(['client']);
      expect(server.authModes).not.toContain('server');
      expect(server.authMode).toBeUndefined();
      expect(server.extraArgs).toBeUndefined();
      expect(server.secure).toBe(true);
      expect(server.ingress).toEqual({ enabled: false });
      expect(server.serviceType).toBe('ClusterIP');
    }
    expect(values().server).toMatchObject({ replicas: 2, pdb: { enabled: true, minAvailable: 1 } });
    expect(values(bare).server).toMatchObject({ replicas: 1, pdb: { enabled: false } });
  });

  test('controller and server pods satisfy Pod Security "restricted" and set requests and limits', () => {
    const v = values();
    for (const part of [v.controller, v.server]) {
      expect(part.podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(part.securityContext).toMatchObject({
        runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(part.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(part.resources.limits.memory).toEqual(expect.any(String));
    }
    expect(v.controller.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('workflow pods are restricted too: pod defaults, executor (init, wait) and main containers', () => {
    const v = values();
    expect(v.controller.workflowDefaults.spec.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 8737, runAsGroup: 8737, fsGroup: 8737, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(v.executor.securityContext).toMatchObject({
      runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, readOnlyRootFilesystem: true,
    });
    expect(v.executor.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
    expect(v.mainContainer.securityContext).toEqual({
      runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('controller limits: parallelism, per-namespace parallelism, pod rate, workflow TTL and pod GC', () => {
    const c = values().controller;
    expect(c).toMatchObject({ parallelism: 50, namespaceParallelism: 10, resourceRateLimit: { limit: 20, burst: 50 }, replicas: 1 });
    expect(c.workflowDefaults.spec).toMatchObject({
      serviceAccountName: 'argo-workflow', ttlStrategy: { secondsAfterCompletion: 3 * 86400 }, podGC: { strategy: 'OnPodSuccess' },
    });
    expect(values(bare).controller).toMatchObject({ parallelism: 100, namespaceParallelism: 20 });
    expect(values(bare).controller.workflowDefaults.spec.ttlStrategy.secondsAfterCompletion).toBe(7 * 86400);
  });

  test('the archive is in database "argo" of the platform\'s PostgreSQL, as its own role "argo", over TLS', () => {
    const persistence = values().controller.persistence;
    expect(persistence).toMatchObject({ archive: true, archiveTTL: '180d' });
    expect(persistence.postgresql).toEqual({
      host: refTo(json, 'aws_db_instance', 'test/Tracking/Database/Resource', 'address'), port: 5432, database: 'argo', tableName: 'argo_workflows',
      userNameSecret: { name: 'argo-db', key: 'username' }, passwordSecret: { name: 'argo-db', key: 'password' }, ssl: true, sslMode: 'require',
    });
    // No second instance: the tracking database is shared.
    expect(resourcesOfType(json, 'aws_db_instance')).toHaveLength(1);
    const bootstrap = helmRelease(json, 'argo-role-bootstrap');
    expect(bootstrap.namespace).toBe('db-admin');
    const [job] = manifestObjects(dir, bootstrap);
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({ APP_ROLE: 'argo', APP_DATABASES: 'argo' });
    const sync = manifestObjects(dir, helmRelease(json, 'argo-db-store')).find((o) => o.kind === 'ExternalSecret');
    expect(sync.metadata.name).toBe('argo-db');
    expect(JSON.stringify(values())).not.toContain('mlops_admin');
    expect(JSON.stringify(values())).not.toContain('master_user_secret');
    expect(release().depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'helm_release', 'test/Pipelines/DatabaseRole/Bootstrap/Resource'),
      addressOf(json, 'helm_release', 'test/Pipelines/DatabaseRole/AppSecrets/Chart/Resource'),
    ]));
  });

  test('without a database it gets its own instance', () => {
    expect(resourceAt(bare, 'aws_db_instance', 'bare/Pipelines/Database/Resource')).toBeDefined();
    expect(values(bare).controller.persistence.postgresql.host).toBe(refTo(bare, 'aws_db_instance', 'bare/Pipelines/Database/Resource', 'address'));
  });

  test('artifacts and step logs go to its own bucket through the SDK credential chain (no static keys)', () => {
    const v = values();
    expect(v.useStaticCredentials).toBe(false);
    expect(v.artifactRepository).toEqual({
      archiveLogs: true,
      s3: {
        bucket: refTo(json, 'aws_s3_bucket', 'test/Pipelines/Artifacts/Resource', 'bucket'), region: 'us-east-1', endpoint: 's3.us-east-1.amazonaws.com',
        insecure: false, useSDKCreds: true, keyFormat: '{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}',
      },
    });
    expect(JSON.stringify(v)).not.toMatch(/accessKeySecret|secretKeySecret/);
    expect(resourceAt(json, 'aws_s3_bucket', 'test/Pipelines/Artifacts/Resource').tags).toMatchObject({ purpose: 'argo-artifacts' });
  });

  test('the server reads and each namespace\'s workflow service account reads and writes the bucket through pod identity', () => {
    const bucketArn = refTo(json, 'aws_s3_bucket', 'test/Pipelines/Artifacts/Resource', 'arn');
    const server = resourceAt(json, 'aws_eks_pod_identity_association', 'test/Pipelines/ServerIdentity/Association');
    expect(server).toMatchObject({ namespace: 'argo', service_account: 'argo-server' });
    expect(values().server.serviceAccount).toMatchObject({ create: true, name: 'argo-server' });
    const serverPolicy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Pipelines/ServerIdentity/Policy').policy);
    expect(serverPolicy.Statement.flatMap((s: any) => s.Action)).not.toContain('s3:PutObject');
    for (const ns of ['research', 'batch']) {
      const association = resourceAt(json, 'aws_eks_pod_identity_association', `test/Pipelines/Workflows-${ns}/Identity/Association`);
      expect(association).toMatchObject({ namespace: ns, service_account: 'argo-workflow' });
      const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', `test/Pipelines/Workflows-${ns}/Identity/Policy`).policy);
      const write = policy.Statement.find((s: any) => [s.Action].flat().includes('s3:PutObject'));
      expect(write.Resource).toBe(`${bucketArn}/*`);
      const sa = resourceAt(json, 'kubernetes_service_account_v1', `test/Pipelines/Workflows-${ns}/ServiceAccount`);
      expect(sa.metadata).toMatchObject({ name: 'argo-workflow', namespace: ns });
      expect(sa.depends_on).toEqual(expect.arrayContaining([
        addressOf(json, 'aws_eks_pod_identity_association', `test/Pipelines/Workflows-${ns}/Identity/Association`),
      ]));
    }
    expect(pipelines.workflowIdentities).toHaveLength(2);
  });

  test('workflow namespaces: the team\'s and its own, with executor RBAC from the chart and a submitter role', () => {
    expect(pipelines.workflowNamespaces).toEqual(['research', 'batch']);
    const v = values();
    expect(v.controller.workflowNamespaces).toEqual(['research', 'batch']);
    expect(v.workflow).toEqual({
      serviceAccount: { create: false, name: 'argo-workflow' }, rbac: { create: true, agentPermissions: false, artifactGC: false },
    });
    const own = resourceAt(json, 'kubernetes_namespace_v1', 'test/Pipelines/WorkflowNamespace-batch/Resource');
    expect(own.metadata).toMatchObject({ name: 'batch', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    expect(release().depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'kubernetes_namespace_v1', 'test/Research/Namespace'),
      addressOf(json, 'kubernetes_namespace_v1', 'test/Pipelines/WorkflowNamespace-batch/Resource'),
      addressOf(json, 'kubernetes_role_binding_v1', 'test/Pipelines/Workflows-research/SubmitterBinding'),
    ]));
    for (const ns of ['research', 'batch']) {
      const role = resourceAt(json, 'kubernetes_role_v1', `test/Pipelines/Workflows-${ns}/SubmitterRole`);
      expect(role.metadata).toMatchObject({ name: 'argo-workflows-submitter', namespace: ns });
      expect(role.rule[0]).toEqual({
        api_groups: ['argoproj.io'], resources: ['workflows', 'workflowtemplates', 'cronworkflows', 'workfloweventbindings'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      });
      // Never secrets, never cluster-wide.
      expect(JSON.stringify(role.rule)).not.toContain('secrets');
      const binding = resourceAt(json, 'kubernetes_role_binding_v1', `test/Pipelines/Workflows-${ns}/SubmitterBinding`);
      expect(binding.subject).toEqual([{ kind: 'ServiceAccount', name: 'argo-submitter', namespace: ns }]);
      expect(binding.role_ref).toEqual({ api_group: 'rbac.authorization.k8s.io', kind: 'Role', name: 'argo-workflows-submitter' });
    }
    expect(resourcesOfType(bare, 'kubernetes_namespace_v1').map((n) => n.metadata.name)).toEqual(expect.arrayContaining(['argo', 'workflows']));
    expect(values(bare).controller.workflowNamespaces).toEqual(['workflows']);
  });

  test('workflow pods of a team namespace reach the API and the store on 443 and the extra addresses; other namespaces get no policy', () => {
    const policy = resourceAt(json, 'kubernetes_network_policy_v1', 'test/Pipelines/Workflows-research/Egress');
    expect(policy.metadata).toMatchObject({ name: 'argo-workflow-egress', namespace: 'research' });
    expect(policy.spec.pod_selector).toEqual({ match_expressions: [{ key: 'workflows.argoproj.io/workflow', operator: 'Exists' }] });
    expect(policy.spec.policy_types).toEqual(['Egress']);
    expect(policy.spec.egress).toEqual([
      { to: [{ ip_block: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: '443' }] },
      { to: [{ ip_block: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: '80' }] },
    ]);
    expect(resourcesOfType(json, 'kubernetes_network_policy_v1').filter((p) => p.metadata.name === 'argo-workflow-egress')).toHaveLength(1);
  });

  test('the controller\'s metrics are scraped through a ServiceMonitor installed after the Prometheus CRDs', () => {
    expect(values().controller.metricsConfig).toEqual({ enabled: true });
    expect(values().controller.serviceMonitor).toEqual({ enabled: false });
    const chart = helmRelease(json, 'argo-workflows-metrics');
    expect(chart.depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'helm_release', 'test/Monitoring/Release/Resource'), addressOf(json, 'helm_release', 'test/Pipelines/Release/Resource'),
    ]));
    const [monitor] = manifestObjects(dir, chart);
    expect(monitor).toMatchObject({
      kind: 'ServiceMonitor', metadata: { name: 'argo-workflows-controller', namespace: 'argo' },
      spec: {
        namespaceSelector: { matchNames: ['argo'] },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'argo-workflows-workflow-controller', 'app.kubernetes.io/instance': 'argo-workflows' } },
        endpoints: [{ port: 'metrics', path: '/metrics' }],
      },
    });
    expect(resourcesOfType(bare, 'helm_release').map((r) => r.name)).not.toContain('argo-workflows-metrics');
  });

  test('the bucket is a registered, priced data store; the archive database gains Argo as a restore client; the report tells how to submit', () => {
    expect(report.dataStores.map((s: any) => [s.path, s.purpose])).toContainEqual(['test/Pipelines/Artifacts', 'argo-artifacts']);
    const clients = (path: string) => pipelines.node.root.node.findAll()
      .filter((c) => c.node.path === 'test')
      .flatMap((stack: any) => stack.dataStores.stores.filter((e: any) => e.store.path === path).flatMap((e: any) => e.clients));
    expect(JSON.stringify(clients('test/Tracking/Database'))).toContain('controller.persistence.postgresql.host');
    expect(JSON.stringify(clients('test/Pipelines/Artifacts'))).toContain('artifactRepository.s3.bucket');
    expect(fs.readFileSync(path.join(dir, 'restore-runbook.md'), 'utf8')).toContain('Point the Argo workflow archive at the restored instance');
    expect(bareReport.dataStores.map((s: any) => s.path)).toEqual(expect.arrayContaining(['bare/Pipelines/Artifacts', 'bare/Pipelines/Database']));
    expect(JSON.stringify(report.costEstimate)).toContain('argo-artifacts');
    const component = report.components.find((c: any) => c.name === 'Pipelines');
    expect(component.path).toBe('test/Pipelines');
    expect(component.description).toMatch(/Argo Workflows v4\.0\.6 \(chart argo-workflows 1\.0\.18\)/);
    expect(component.description).toMatch(/client-token/);
    expect(component.description).not.toMatch(/TfToken|\$\{/);
    const step = report.deploymentSteps.find((s: any) => s.title === 'Submit a workflow to Argo Workflows');
    expect(step.command).toContain('kubectl -n argo port-forward svc/argo-workflows-server 2746:2746');
    expect(step.command).toContain('kubectl -n research create token argo-submitter');
    expect(step.command).toContain('argo submit');
    expect(pipelines.tokenCommand('batch')).toBe('kubectl -n batch create token argo-submitter --duration=8h');
  });
});

describe('Pipelines validation', () => {
  const attempt = (props: (p: ReturnType<typeof newPlatform>) => Partial<PipelinesProps>) => {
    const p = newPlatform();
    return () => new Pipelines(p.stack, 'Pipelines', { cluster: p.cluster, cloud: p.cloud, ...props(p) } as PipelinesProps);
  };

  test('cluster and cloud are required', () => {
    const p = newPlatform();
    expectValidationError(() => new Pipelines(p.stack, 'P', { cloud: p.cloud } as any), 'test/P', 'cluster', /is required/);
    expectValidationError(() => new Pipelines(p.stack, 'Q', { cluster: p.cluster } as any), 'test/Q', 'cloud', /is required/);
  });

  test('namespace must be a free DNS label, not a team\'s or a workflow namespace', () => {
    expect(attempt(() => ({ namespace: 'Argo' }))).toThrow(/namespace is not valid/);
    expect(attempt(() => ({ namespace: 'monitoring' }))).toThrow(/namespace is a namespace Kubernetes or another part/);
    expect(attempt(() => ({ workflowNamespaces: ['argo'] }))).toThrow(/workflowNamespaces\[0\] is the controller's namespace/);
    expect(attempt((p) => ({ teams: [new Team(p.stack, 'T', { cluster: p.cluster, name: 'argo' })] }))).toThrow(/namespace is a team's namespace/);
  });

  test('workflow namespaces are valid, unique, not reserved and not a team\'s', () => {
    expect(attempt(() => ({ workflowNamespaces: 'batch' as any }))).toThrow(/workflowNamespaces must be a list, not a single string/);
    expect(attempt(() => ({ workflowNamespaces: ['batch', 'batch'] }))).toThrow(/workflowNamespaces\[1\] is already a workflow namespace/);
    expect(attempt(() => ({ workflowNamespaces: ['kube-system'] }))).toThrow(/workflowNamespaces\[0\] is a namespace Kubernetes/);
    expect(attempt(() => ({ workflowNamespaces: ['Batch'] }))).toThrow(/workflowNamespaces\[0\] is not valid/);
    expect(attempt((p) => ({ teams: [new Team(p.stack, 'T', { cluster: p.cluster, name: 'research' })], workflowNamespaces: ['research'] })))
      .toThrow(/workflowNamespaces\[0\] is already a workflow namespace \(teams\[0\]\)/);
    expect(attempt(() => ({ teams: ['research' as any] }))).toThrow(/teams\[0\] must be a Team/);
  });

  test('limits are whole numbers in range and consistent', () => {
    expect(attempt(() => ({ parallelism: 0 }))).toThrow(/parallelism must be a whole number from 1 to 10000/);
    expect(attempt(() => ({ parallelism: 10, namespaceParallelism: 20 }))).toThrow(/namespaceParallelism is more than parallelism \(10\)/);
    expect(attempt(() => ({ workflowTtlDays: 0 }))).toThrow(/workflowTtlDays must be a whole number/);
    expect(attempt(() => ({ workflowTtlDays: 30, archiveTtlDays: 7 }))).toThrow(/archiveTtlDays is shorter than workflowTtlDays \(30\)/);
    expect(attempt(() => ({ serverReplicas: 11 }))).toThrow(/serverReplicas must be a whole number from 1 to 10/);
  });

  test('egress, bucket, monitoring and database props are checked', () => {
    expect(attempt(() => ({ workflowHttpsEgressCidrs: [] }))).toThrow(/workflowHttpsEgressCidrs must list at least 1 entry/);
    expect(attempt(() => ({ workflowHttpsEgressCidrs: ['10.0.0.1/16'] }))).toThrow(/workflowHttpsEgressCidrs\[0\] has host bits set/);
    expect(attempt(() => ({ workflowEgress: [{ cidr: '169.254.170.23/32' } as any] }))).toThrow(/workflowEgress\[0\] needs a cidr and a port/);
    expect(attempt(() => ({ workflowEgress: [{ cidr: '169.254.170.23/32', port: 70000 }] }))).toThrow(/workflowEgress\[0\]\.port must be a whole number/);
    expect(attempt(() => ({ artifactBucketName: 'Bad_Bucket' }))).toThrow(/artifactBucketName is not a valid bucket name/);
    expect(attempt(() => ({ monitoring: {} as any }))).toThrow(/monitoring must be a Monitoring/);
    expect(attempt(() => ({ database: 'postgres' as any }))).toThrow(/database must be a PostgreSQL database/);
  });

  test('one Pipelines per cluster', () => {
    const p = newPlatform();
    new Pipelines(p.stack, 'A', { cluster: p.cluster, cloud: p.cloud });
    expectValidationError(() => new Pipelines(p.stack, 'B', { cluster: p.cluster, cloud: p.cloud, namespace: 'argo2', workflowNamespaces: ['wf2'] }),
      'test/B', 'cluster', /already used by test\/A/);
  });
});

describe('Pipelines on Google Cloud', () => {
  test('artifacts go to GCS through Workload Identity, with the Google service account annotations on every service account', () => {
    const { stack, cloud, cluster } = newGke();
    new Pipelines(stack, 'Pipelines', { cloud, cluster, serverReplicas: 1 });
    const { json, report } = synthStack(stack);
    const values = helmValues(helmRelease(json, 'argo-workflows'));
    expect(values.useStaticCredentials).toBe(false);
    // The chart renders the gcs block through `tpl`: Argo's variables are escaped from Helm.
    expect(values.artifactRepository).toEqual({
      archiveLogs: true,
      gcs: { bucket: expect.stringMatching(/google_storage_bucket\./), keyFormat: '{{ "{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}" }}' },
    });
    expect(values.server.serviceAccount.annotations['iam.gke.io/gcp-service-account']).toMatch(/google_service_account\..*\.email/);
    const sa = resourceAt(json, 'kubernetes_service_account_v1', 'gcp/Pipelines/Workflows-workflows/ServiceAccount');
    expect(sa.metadata.annotations['iam.gke.io/gcp-service-account']).toMatch(/google_service_account\..*\.email/);
    expect(values.server.authModes).toEqual(['client']);
    expect(report.status).toBe('ok');
  });
});
