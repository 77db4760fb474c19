import { App } from 'cdktf';
import { buildReferencePlatform } from '../examples/aws-platform/main';
import { buildCustomStack } from '../examples/custom-stack/main';
import { SynthResult, leaves, newApp, readStackOutput, resourceEntries, resourcesOfType } from './helpers';

/** The examples read settings from the environment: synthesize them with the defaults. */
const ENV_PREFIXES = /^(MLOPS_|EKS_)/;

/**
 * Makes cdk.tf.json stable across machines and runs: the local backend path contains the working directory, and
 * unresolved token markers (see the launch-template name_prefix bug in lib/aws/node-group.ts) carry a
 * process-wide counter.
 */
function normalise(json: any): any {
  const text = JSON.stringify(json)
    .split(process.cwd()).join('<cwd>')
    .replace(/\$\{tftoken\[token\.\d+\]\}/gi, '${tftoken[token.N]}');
  return JSON.parse(text);
}

function synthExamples(): { reference: SynthResult; custom: SynthResult } {
  const app: App = newApp();
  buildReferencePlatform(app);
  buildCustomStack(app);
  app.synth();
  return { reference: readStackOutput(app.outdir, 'mlops-platform'), custom: readStackOutput(app.outdir, 'mlops-on-existing-eks') };
}

describe('examples', () => {
  let reference: SynthResult;
  let custom: SynthResult;
  const saved: { [key: string]: string | undefined } = {};
  beforeAll(() => {
    for (const key of Object.keys(process.env).filter((k) => ENV_PREFIXES.test(k))) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    ({ reference, custom } = synthExamples());
  });
  afterAll(() => Object.assign(process.env, saved));

  test('the reference platform synthesizes to a stable cdk.tf.json', () => {
    expect(normalise(reference.json)).toMatchSnapshot();
  });

  test('the custom stack synthesizes to a stable cdk.tf.json', () => {
    expect(normalise(custom.json)).toMatchSnapshot();
  });

  test('synthesis is deterministic, assets included', () => {
    const again = synthExamples();
    expect(normalise(again.reference.json)).toEqual(normalise(reference.json));
    expect(normalise(again.custom.json)).toEqual(normalise(custom.json));
    expect(again.reference.report).toEqual(reference.report);
    const charts = resourcesOfType(reference.json, 'helm_release').filter((r) => r.chart.startsWith('./assets/')).map((r) => r.name).sort();
    // Admin password generators, namespaced secret stores, database role bootstraps (MLflow, Argo, Feast), the cache's
    // AUTH job, alert rules, dashboards and ServiceMonitors, the Kueue objects of the teams, and Feast's CronJobs.
    expect(charts).toEqual(['argo-db-store', 'argo-role-bootstrap', 'argo-workflows-metrics', 'feast-db-store', 'feast-jobs', 'feast-online-store',
      'feast-role-bootstrap', 'grafana-admin-secret', 'kueue-flavors', 'kueue-queues-fraud', 'kueue-queues-recsys', 'mlflow-admin-secret',
      'mlflow-db-store', 'mlflow-role-bootstrap', 'mlops-alert-rules', 'mlops-dashboards', 'mlops-prod-feast-online-auth',
      'mlops-prod-feast-online-auth-store', 'mlops-prod-mlflow-argo', 'mlops-prod-mlflow-feast', 'mlops-prod-mlflow-mlflow']);
  });

  test('both examples pass the policy pack', () => {
    for (const { report } of [reference, custom]) {
      expect(report.policy.errors).toBe(0);
      expect(report.policy.rules).toBeGreaterThan(50);
      for (const finding of report.policy.findings.filter((f: any) => f.level === 'ERROR')) {
        expect(finding.suppressedBecause).toEqual(expect.any(String));
      }
    }
  });

  describe('reference platform', () => {
    test('nothing is force-destroyed and no database skips its final snapshot', () => {
      const all = leaves(reference.json);
      expect(all.filter(([key, value]) => /(^|\.)force_(destroy|delete)$/.test(key) && value === true)).toEqual([]);
      expect(all.filter(([key, value]) => /(^|\.)skip_final_snapshot$/.test(key) && value === true)).toEqual([]);
      expect(resourcesOfType(reference.json, 'aws_db_instance').every((db) => db.skip_final_snapshot === false)).toBe(true);
    });

    test('every database and primary data bucket has a copy outside its region in the report', () => {
      const stores = new Map<string, any>(reference.report.dataStores.map((s: any) => [s.path, s]));
      const hasDrCopy = (path: string) => {
        const store = stores.get(path);
        expect(store).toBeDefined();
        return store.protections.some((p: any) => p.copyRegion !== store.region);
      };
      const storePath = (r: any) => r['//'].metadata.path.replace(/\/Resource$/, '');
      const dbs = resourcesOfType(reference.json, 'aws_db_instance');
      expect(dbs.length).toBeGreaterThan(0);
      for (const db of dbs) {
        expect(hasDrCopy(storePath(db))).toBe(true);
      }
      // Access-log buckets and replicas are copies or logs; the cluster-state bucket is the DR copy of the CLUSTER_STATE store.
      const copies = /^(access-logs|.*-replica|cluster-state-backups)$/;
      const buckets = resourcesOfType(reference.json, 'aws_s3_bucket').filter((b) => !copies.test(b.tags.purpose));
      expect(buckets.map((b) => b.tags.purpose).sort()).toEqual(['argo-artifacts', 'audit-trail', 'feast-offline', 'mlflow-artifacts', 'models']);
      for (const bucket of buckets) {
        expect(hasDrCopy(storePath(bucket))).toBe(true);
      }
      const clusterState = reference.report.dataStores.filter((s: any) => s.kind === 'CLUSTER_STATE');
      expect(clusterState).toHaveLength(1);
      expect(hasDrCopy(clusterState[0].path)).toBe(true);
      for (const store of reference.report.dataStores) {
        expect(hasDrCopy(store.path)).toBe(true);
        expect(Math.min(...store.protections.map((p: any) => p.rpoMinutes))).toBeLessThanOrEqual(reference.report.recoveryObjective.rpoMinutes);
      }
    });

    test('every backup plan rule expires recovery points and every vault is locked', () => {
      const plans = resourcesOfType(reference.json, 'aws_backup_plan');
      expect(plans.length).toBeGreaterThan(0);
      for (const rule of plans.flatMap((p) => p.rule)) {
        expect(rule.lifecycle.delete_after).toBeGreaterThan(0);
        for (const copy of rule.copy_action ?? []) {
          expect(copy.lifecycle.delete_after).toBeGreaterThan(0);
        }
      }
      const locks = resourcesOfType(reference.json, 'aws_backup_vault_lock_configuration').map((l) => l.backup_vault_name);
      const vaults = resourceEntries(reference.json, 'aws_backup_vault');
      expect(vaults).toHaveLength(2);
      for (const [name] of vaults) {
        expect(locks).toContain('${aws_backup_vault.' + name + '.name}');
      }
    });

    test('cost guardrails: actual and forecast alerts, anomaly alerts; tag activation is an operator step, not a resource', () => {
      for (const { json } of [reference, custom]) {
        expect(json.resource.aws_ce_cost_allocation_tag).toBeUndefined();
      }
      const activation = reference.report.deploymentSteps.find((st: any) => st.title === 'Activate the cost allocation tags');
      expect(activation).toMatchObject({ phase: 'AFTER_DEPLOY', command: expect.stringMatching(/^aws ce update-cost-allocation-tags-status /) });
      for (const key of ['cost-center', 'team', 'project', 'environment']) {
        expect(activation.command).toContain(`TagKey=${key},Status=Active`);
      }
      expect(reference.markdown).toContain('- **Activate the cost allocation tags.**');
      const [budget] = resourcesOfType(reference.json, 'aws_budgets_budget');
      const types = new Set(budget.notification.map((n: any) => n.notification_type));
      expect(types).toEqual(new Set(['ACTUAL', 'FORECASTED']));
      expect(budget.cost_filter).toEqual([{ name: 'TagKeyValue', values: ['user:project$mlops'] }]);
      expect(resourcesOfType(reference.json, 'aws_ce_anomaly_subscription')).toHaveLength(1);
    });

    test('Terraform outputs tell the user where things are and how to reach them', () => {
      const output = reference.json.output;
      expect(Object.keys(output).sort()).toEqual([
        'argo_port_forward_command', 'cluster_name', 'feature_offline_bucket', 'feature_server_port_forward_command', 'feature_server_url',
        'grafana_admin_password_command', 'grafana_port_forward_command', 'kubeconfig_command', 'mlflow_admin_password_command',
        'mlflow_artifact_bucket', 'mlflow_port_forward_command', 'mlflow_url', 'model_bucket', 'model_image_repository_url', 'opencost_port_forward_command',
      ]);
      expect(output.cluster_name.value).toBe('mlops-prod');
      expect(output.kubeconfig_command.value).toBe('aws eks update-kubeconfig --name mlops-prod --region us-east-1');
      expect(output.mlflow_url.value).toMatch(/^http:\/\/mlflow\.\$\{kubernetes_namespace_v1\.[^}]+\.metadata\[0\]\.name\}\.svc\.cluster\.local$/);
      expect(output.mlflow_port_forward_command.value).toBe('kubectl -n mlflow port-forward svc/mlflow 5000:80');
      expect(output.mlflow_admin_password_command.value).toBe("kubectl -n mlflow get secret mlflow-admin -o jsonpath='{.data.password}' | base64 -d");
      expect(output.mlflow_artifact_bucket.value).toMatch(/^\$\{aws_s3_bucket\.Platform_Tracking_Artifacts_[0-9A-F]{8}\.bucket\}$/);
      expect(output.model_bucket.value).toMatch(/^\$\{aws_s3_bucket\.Platform_Registry_Models_[0-9A-F]{8}\.bucket\}$/);
      expect(output.model_image_repository_url.value).toMatch(/^\$\{aws_ecr_repository\.Platform_Registry_ServingImages_[0-9A-F]{8}\.repository_url\}$/);
      for (const value of Object.values<any>(output)) {
        expect(value.description).toEqual(expect.any(String));
      }
    });

    test('Terraform 1.11 or newer is required (S3 lock file, write-only password)', () => {
      for (const { json } of [reference, custom]) {
        expect(json.terraform.required_version).toBe('>= 1.11.0');
      }
    });

    test('the report says where to run deploy and lists the after-deploy steps, with no unresolved token', () => {
      const titles = reference.report.deploymentSteps.map((st: any) => `${st.phase} ${st.title}`);
      expect(titles).toEqual(expect.arrayContaining([
        'BEFORE_DEPLOY Run cdktf deploy where the API of mlops-prod is reachable', 'AFTER_DEPLOY Point kubectl at mlops-prod',
        'AFTER_DEPLOY Activate the cost allocation tags', 'AFTER_DEPLOY Sign in to MLflow in mlflow',
      ]));
      for (const { report, markdown } of [reference, custom]) {
        expect(JSON.stringify(report)).not.toMatch(/TfToken|\$\{Token\[/);
        expect(markdown).not.toMatch(/TfToken|\$\{Token\[/);
      }
    });

    test('the public endpoint warning is suppressed with a reason', () => {
      const suppressed = reference.report.policy.findings.filter((f: any) => f.ruleId === 'CKV_AWS_39');
      expect(suppressed).toEqual([expect.objectContaining({ suppressedBecause: expect.stringContaining('MLOPS_ADMIN_CIDRS') })]);
    });
  });
});
