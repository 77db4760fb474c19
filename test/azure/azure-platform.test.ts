/*
 * The Azure reference platform (examples/azure-platform): stable cdk.tf.json, stateful addresses recorded in
 * azure-stateful-addresses.json (record new ones with UPDATE_STATEFUL_ADDRESSES=1), no policy errors, every store
 * copied outside the primary region, every resource tagged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildAzurePlatform } from '../../examples/azure-platform/main';
import { SynthResult, newApp, readStackOutput } from '../helpers';

const ENV_PREFIXES = /^(MLOPS_|EKS_)/;
const RECORD = path.join(__dirname, 'azure-stateful-addresses.json');
/** Resource types whose re-creation loses data or the means to read it. */
const STATEFUL_TYPES = [
  'azurerm_postgresql_flexible_server', 'azurerm_storage_account', 'azurerm_storage_container', 'azurerm_key_vault', 'azurerm_key_vault_key',
  'azurerm_key_vault_secret', 'azurerm_container_registry', 'azurerm_kubernetes_cluster', 'azurerm_data_protection_backup_vault',
  'azurerm_resource_group', 'azurerm_disk_encryption_set', 'azurerm_user_assigned_identity', 'azurerm_log_analytics_workspace',
];
/** True when the azurerm resource type's schema has a top-level `tags` map (its binding has a `tagsInput` accessor). */
function taggable(type: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`@cdktf/provider-azurerm/lib/${type.replace(/^azurerm_/, '').replace(/_/g, '-')}`);
  return Object.values<any>(module).some((c) => typeof c === 'function' && c.tfResourceType === type && 'tagsInput' in c.prototype);
}

function normalise(json: any): any {
  return JSON.parse(JSON.stringify(json).split(process.cwd()).join('<cwd>').replace(/\$\{tftoken\[token\.\d+\]\}/gi, '${tftoken[token.N]}'));
}

describe('Azure reference platform', () => {
  let out: SynthResult;
  const saved: { [key: string]: string | undefined } = {};
  beforeAll(() => {
    for (const key of Object.keys(process.env).filter((k) => ENV_PREFIXES.test(k))) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    const app = newApp();
    buildAzurePlatform(app);
    app.synth();
    out = readStackOutput(app.outdir, 'mlops-platform-azure');
  });
  afterAll(() => Object.assign(process.env, saved));

  test('synthesizes to a stable cdk.tf.json', () => {
    expect(normalise(out.json)).toMatchSnapshot();
  });

  test('stateful resources keep their Terraform addresses', () => {
    const addresses: { [address: string]: string } = {};
    for (const type of STATEFUL_TYPES) {
      for (const [name, config] of Object.entries<any>(out.json.resource?.[type] ?? {})) {
        addresses[`${type}.${name}`] = config['//']?.metadata?.path ?? '';
      }
    }
    if (process.env.UPDATE_STATEFUL_ADDRESSES === '1') {
      fs.writeFileSync(RECORD, `${JSON.stringify({ 'mlops-platform-azure': addresses }, null, 2)}\n`);
    }
    const recorded = JSON.parse(fs.readFileSync(RECORD, 'utf8'))['mlops-platform-azure'];
    const missing = Object.keys(recorded).filter((a) => !(a in addresses));
    expect(missing).toEqual([]);
    expect(Object.keys(recorded).length).toBeGreaterThanOrEqual(10);
  });

  test('has no policy errors and a complete report', () => {
    expect(out.report.policy.findings?.filter((f: any) => f.level === 'ERROR' && !f.suppressedBecause) ?? []).toEqual([]);
    expect(out.report.policy.errors).toBe(0);
    expect(out.report.status).toBe('ok');
    expect(out.report.costEstimate.warnings).toEqual([]);
    expect(out.report.costEstimate.regions).toEqual(['centralus', 'eastus2']);
  });

  test('every data store has a copy outside the primary region', () => {
    expect(out.report.dataStores.length).toBeGreaterThanOrEqual(4);
    for (const store of out.report.dataStores) {
      expect(store.protections.some((p: any) => p.copyRegion === 'centralus')).toBe(true);
    }
  });

  test('every taggable azurerm resource carries the cost allocation tags', () => {
    expect(taggable('azurerm_key_vault')).toBe(true);
    expect(taggable('azurerm_role_assignment')).toBe(false);
    const expected = { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'mlops', 'environment': 'prod' };
    const untagged: string[] = [];
    for (const [type, resources] of Object.entries<any>(out.json.resource)) {
      if (!type.startsWith('azurerm_') || !taggable(type)) {
        continue;
      }
      for (const [name, config] of Object.entries<any>(resources)) {
        if (!config.tags || Object.entries(expected).some(([k, v]) => config.tags[k] !== v)) {
          untagged.push(`${type}.${name}`);
        }
      }
    }
    expect(untagged).toEqual([]);
    for (const pool of Object.values<any>(out.json.resource.azurerm_kubernetes_cluster_node_pool)) {
      expect(pool.node_labels).toMatchObject(expected);
    }
  });

  test('targets azurerm 5.2 (the version verify validates with) and writes its argument forms', () => {
    expect(out.json.terraform.required_providers.azurerm.version).toBe('~> 5.2');
    for (const cluster of Object.values<any>(out.json.resource.azurerm_kubernetes_cluster)) {
      expect(cluster.node_provisioning_profile).toEqual({ mode: 'Manual' });
    }
    for (const credential of Object.values<any>(out.json.resource.azurerm_federated_identity_credential ?? {})) {
      expect(credential.parent_id).toBeUndefined();
      expect(credential.user_assigned_identity_id).toBeDefined();
    }
  });

  test('outputs what a user needs after deploy', () => {
    expect(Object.keys(out.json.output).sort()).toEqual([
      'cluster_name', 'egress_ip', 'kubeconfig_command', 'mlflow_admin_password_command', 'mlflow_artifact_bucket', 'mlflow_port_forward_command',
      'mlflow_url', 'model_bucket', 'model_image_repository_url',
    ]);
    expect(out.json.output.kubeconfig_command.value).toContain('kubelogin convert-kubeconfig');
  });
});

describe('AzureMlopsPlatform props', () => {
  const { AzureMlopsPlatform } = require('../../lib/platform/azure-mlops-platform');
  const { newAzureStack, SUBSCRIPTION } = require('./azure-test-helpers');
  const { expectValidationError } = require('../helpers');
  const base = { subscriptionId: SUBSCRIPTION, monthlyBudgetUsd: 1000, alertEmails: ['ml@example.com'] };
  const build = (props: any) => () => new AzureMlopsPlatform(newAzureStack(), 'Platform', props);

  test('are validated with the prop named', () => {
    expectValidationError(build({ ...base, monthlyBudgetUsd: undefined }), 'azure/Platform', 'monthlyBudgetUsd', /is required/);
    expectValidationError(build({ ...base, alertEmails: [] }), 'azure/Platform', 'alertEmails', /at least one address/);
    expectValidationError(build({ ...base, alertEmails: ['not-an-email'] }), 'azure/Platform', 'alertEmails[0]', /email address/);
    expectValidationError(build({ ...base, gpuPools: {} }), 'azure/Platform', 'gpuPools', /must be a list/);
    expectValidationError(build({ ...base, gpuPools: [{ name: 'Cluster', instanceType: 'Standard_NC4as_T4_v3' }] }), 'azure/Platform', 'gpuPools[0].name',
      /is taken by a part of the platform/);
    expectValidationError(build({ ...base, gpuPools: [{ name: 'a-b', instanceType: 'Standard_NC4as_T4_v3' }] }), 'azure/Platform', 'gpuPools[0].name', /letters or digits/);
    expectValidationError(build({ ...base, modelObjectLockDays: 0 }), 'azure/Platform', 'modelObjectLockDays', /./);
    expectValidationError(build({ ...base, deployerCidrs: '203.0.113.0/24' }), 'azure/Platform', 'deployerCidrs', /./);
    expectValidationError(build({ ...base, subscriptionId: 'prod' }), 'azure/Platform/Azure', 'subscriptionId', /GUID/);
  });
});
