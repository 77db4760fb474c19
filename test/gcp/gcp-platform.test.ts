/*
 * The GCP reference platform (examples/gcp-platform): stable cdk.tf.json, stateful addresses recorded in
 * gcp-stateful-addresses.json (record new ones with UPDATE_STATEFUL_ADDRESSES=1), no policy errors, every store
 * copied to the DR region, every resource labelled.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildGcpPlatform } from '../../examples/gcp-platform/main';
import { SynthResult, newApp, readStackOutput, resourcesOfType } from '../helpers';

const ENV_PREFIXES = /^(MLOPS_|EKS_)/;
const RECORD = path.join(__dirname, 'gcp-stateful-addresses.json');
/** Resource types whose re-creation loses data or the means to read it. */
const STATEFUL_TYPES = [
  'google_sql_database_instance', 'google_storage_bucket', 'google_kms_key_ring', 'google_kms_crypto_key', 'google_artifact_registry_repository',
  'google_secret_manager_secret', 'google_container_cluster', 'google_gke_backup_backup_plan',
];

function normalise(json: any): any {
  return JSON.parse(JSON.stringify(json).split(process.cwd()).join('<cwd>').replace(/\$\{tftoken\[token\.\d+\]\}/gi, '${tftoken[token.N]}'));
}

describe('GCP reference platform', () => {
  let out: SynthResult;
  const saved: { [key: string]: string | undefined } = {};
  beforeAll(() => {
    for (const key of Object.keys(process.env).filter((k) => ENV_PREFIXES.test(k))) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    const app = newApp();
    buildGcpPlatform(app);
    app.synth();
    out = readStackOutput(app.outdir, 'mlops-platform-gcp');
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
      fs.writeFileSync(RECORD, `${JSON.stringify({ 'mlops-platform-gcp': addresses }, null, 2)}\n`);
    }
    const recorded = JSON.parse(fs.readFileSync(RECORD, 'utf8'))['mlops-platform-gcp'];
    const missing = Object.keys(recorded).filter((a) => !(a in addresses));
    expect(missing).toEqual([]);
    expect(Object.keys(recorded).length).toBeGreaterThanOrEqual(10);
  });

  test('has no policy errors and a complete report', () => {
    expect(out.report.status).toBe('ok');
    expect(out.report.policy.errors).toBe(0);
    expect(out.report.costEstimate.warnings).toEqual([]);
    expect(out.report.costEstimate.regions).toEqual(['us-central1', 'us-east1']);
  });

  test('every data store has a copy in the DR region', () => {
    expect(out.report.dataStores.length).toBeGreaterThanOrEqual(4);
    for (const store of out.report.dataStores) {
      expect(store.protections.some((p: any) => p.copyRegion === 'us-east1')).toBe(true);
    }
  });

  test('the provider labels every resource and the aspect reaches node pools and Cloud SQL', () => {
    const provider = out.json.provider.google[0];
    expect(provider.default_labels).toEqual({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'mlops', 'environment': 'prod', 'managed-by': 'cdktf-mlops' });
    for (const pool of resourcesOfType(out.json, 'google_container_node_pool')) {
      expect(pool.node_config.resource_labels).toMatchObject({ 'cost-center': 'cc-4512', 'project': 'mlops' });
      expect(pool.node_config.labels).toMatchObject({ 'cost-center': 'cc-4512', 'team': 'ml-platform' });
    }
    for (const db of resourcesOfType(out.json, 'google_sql_database_instance')) {
      expect(db.settings.user_labels).toMatchObject({ 'cost-center': 'cc-4512', 'environment': 'prod' });
    }
  });

  test('outputs what a user needs after deploy', () => {
    expect(Object.keys(out.json.output).sort()).toEqual([
      'cluster_name', 'kubeconfig_command', 'mlflow_admin_password_command', 'mlflow_artifact_bucket', 'mlflow_port_forward_command',
      'mlflow_url', 'model_bucket', 'model_image_repository_url',
    ]);
    expect(out.json.output.kubeconfig_command.value).toContain('--dns-endpoint');
  });
});

describe('GcpMlopsPlatform props', () => {
  const { GcpMlopsPlatform } = require('../../lib/platform/gcp-mlops-platform');
  const { newGcpStack } = require('./gcp-test-helpers');
  const { expectValidationError } = require('../helpers');
  const base = { projectId: 'fraud-ml-prod', monthlyBudgetUsd: 1000, alertEmails: ['ml@example.com'] };
  const build = (props: any) => () => new GcpMlopsPlatform(newGcpStack(), 'Platform', props);

  test('are validated with the prop named', () => {
    expectValidationError(build({ ...base, monthlyBudgetUsd: undefined }), 'gcp/Platform', 'monthlyBudgetUsd', /is required/);
    expectValidationError(build({ ...base, alertEmails: [] }), 'gcp/Platform', 'alertEmails', /at least one address/);
    expectValidationError(build({ ...base, alertEmails: ['not-an-email'] }), 'gcp/Platform', 'alertEmails[0]', /email address/);
    expectValidationError(build({ ...base, gpuPools: {} }), 'gcp/Platform', 'gpuPools', /must be a list/);
    expectValidationError(build({ ...base, gpuPools: [{ name: 'Cluster', instanceType: 'g2-standard-8' }] }), 'gcp/Platform', 'gpuPools[0].name',
      /is taken by a part of the platform/);
    expectValidationError(build({ ...base, gpuPools: [{ name: 'a-b', instanceType: 'g2-standard-8' }] }), 'gcp/Platform', 'gpuPools[0].name', /letters or digits/);
    expectValidationError(build({ ...base, modelObjectLockDays: 0 }), 'gcp/Platform', 'modelObjectLockDays', /./);
  });
});

describe('GcpCloud limits', () => {
  const { newGcpCloud } = require('./gcp-test-helpers');
  test('a key grant to a token email needs an id, and alert destinations are not offered yet', () => {
    const { cloud } = newGcpCloud();
    expect(() => cloud.key('data').grantEncryptDecrypt(cloud.projectNumber)).toThrow(/needs a grantId when the member email is a token/);
    expect(() => cloud.newAlertDestination(cloud, 'Alerts', {})).toThrow(/not implemented on Google Cloud yet/);
  });
});
