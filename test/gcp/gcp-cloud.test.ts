import { spawnSync } from 'child_process';
import * as path from 'path';
import { GcpKeyPurpose, GcpRegionRole } from '../../lib/gcp/gcp-cloud';
import { gcpLabels } from '../../lib/gcp/gcp-labels';
import { GoogleServiceAgent } from '../../lib/gcp/google-service-agents';
import { expectValidationError, resourceAt, resourcesOfType, synthStack } from '../helpers';
import { newGcpCloud, newGcpStack } from './gcp-test-helpers';

describe('GcpCloud', () => {
  test('configures the google provider with the project, region and cost labels', () => {
    const { stack } = newGcpCloud();
    const { json } = synthStack(stack);
    expect(json.provider.google).toEqual([expect.objectContaining({
      project: 'fraud-ml-prod', region: 'us-central1', add_terraform_attribution_label: true,
      default_labels: { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod', 'managed-by': 'cdktf-mlops' },
    })]);
    expect(json.data.google_project).toBeDefined();
  });

  test('creates one key ring per region and one rotated key per purpose and region, on first use', () => {
    const { stack, cloud } = newGcpCloud();
    const a = cloud.key(GcpKeyPurpose.DATA);
    expect(cloud.key(GcpKeyPurpose.DATA, GcpRegionRole.PRIMARY)).toBe(a);
    cloud.key(GcpKeyPurpose.DATA, GcpRegionRole.DR);
    cloud.key(GcpKeyPurpose.ETCD);
    const { json } = synthStack(stack);
    const rings = resourcesOfType(json, 'google_kms_key_ring');
    expect(rings.map((r) => [r.name, r.location]).sort()).toEqual([['fraud-prod-dr', 'us-east1'], ['fraud-prod-primary', 'us-central1']]);
    const keys = resourcesOfType(json, 'google_kms_crypto_key');
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(key).toMatchObject({
        purpose: 'ENCRYPT_DECRYPT', rotation_period: '7776000s', destroy_scheduled_duration: '2592000s', lifecycle: { prevent_destroy: true },
      });
    }
    expect(resourceAt(json, 'google_kms_crypto_key', 'DrDataKey/Resource').key_ring).toMatch(/google_kms_key_ring\.Gcp_DrKeyRing/);
  });

  test('grants a service agent the key role once, to depend on', () => {
    const { stack, cloud } = newGcpCloud();
    const key = cloud.key(GcpKeyPurpose.DATA);
    const grant = key.grantToServiceAgent(GoogleServiceAgent.STORAGE);
    expect(key.grantToServiceAgent(GoogleServiceAgent.STORAGE)).toBe(grant);
    key.grantEncryptDecrypt('robot@fraud-ml-prod.iam.gserviceaccount.com');
    const { json } = synthStack(stack);
    const members = resourcesOfType(json, 'google_kms_crypto_key_iam_member');
    expect(members).toHaveLength(2);
    expect(members.map((m) => m.role)).toEqual(['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'roles/cloudkms.cryptoKeyEncrypterDecrypter']);
    expect(members.map((m) => m.member).sort()).toEqual([
      'serviceAccount:robot@fraud-ml-prod.iam.gserviceaccount.com',
      expect.stringMatching(/^serviceAccount:service-\$\{data\.google_project\.Gcp_Project_[0-9A-F]+\.number\}@gs-project-accounts\.iam\.gserviceaccount\.com$/),
    ]);
  });

  test('computes service agent emails from the project number', () => {
    const { cloud } = newGcpCloud();
    expect(cloud.serviceAgent(GoogleServiceAgent.CONTAINER)).toMatch(/^service-\$\{TfToken\[TOKEN\.\d+\]\}@container-engine-robot\.iam\.gserviceaccount\.com$/);
  });

  test('gives GCP label values: lower case, no dots', () => {
    expect(gcpLabels({ team: 'ML.Platform' })).toEqual({ team: 'ml_platform' });
  });

  test('validates the project ID', () => {
    expectValidationError(() => newGcpCloud({ projectId: 'Fraud ML' }), 'gcp/Gcp', 'projectId', /must be a Google Cloud project ID/);
    expectValidationError(() => newGcpCloud({ projectId: undefined as any }), 'gcp/Gcp', 'projectId', /must be a Google Cloud project ID/);
  });

  test('validates the regions against the Google Cloud region list', () => {
    expectValidationError(() => newGcpCloud({}, newGcpStack({ primaryRegion: 'us-east-1' })), 'gcp/Gcp', 'primaryRegion',
      /is not a Google Cloud region \(got "us-east-1"\)\. Use one of us-central1/);
    expectValidationError(() => newGcpCloud({}, newGcpStack({ primaryRegion: 'europe-west99' })), 'gcp/Gcp', 'primaryRegion',
      /is not a Google Cloud region/);
  });

  test('validates key purposes', () => {
    const { cloud } = newGcpCloud();
    expectValidationError(() => cloud.key('Data Key'), 'gcp/Gcp', 'purpose', /must be lower-case letters and digits/);
  });

  test('checks Cloud SQL tiers and budget channels for the neutral constructs', () => {
    const { cloud } = newGcpCloud();
    expect(() => cloud.checkDatabaseInstanceClass(cloud, 'databaseInstanceClass', 'db-custom-2-8192')).not.toThrow();
    expectValidationError(() => cloud.checkDatabaseInstanceClass(cloud, 'databaseInstanceClass', 'db.m7g.large'), 'gcp/Gcp', 'databaseInstanceClass',
      /is not a Cloud SQL for PostgreSQL tier/);
    expectValidationError(() => cloud.checkBudgetNotifications(cloud, 'emails', ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io', 'f@x.io'], 'actualThresholdsPercent', 2),
      'gcp/Gcp', 'emails', /more than the 5 notification channels/);
  });

  test('lists the APIs to enable as an operator step', () => {
    const { stack } = newGcpCloud();
    const { report } = synthStack(stack);
    expect(report.deploymentSteps).toContainEqual(expect.objectContaining({
      phase: 'BEFORE_DEPLOY', command: expect.stringContaining('container.googleapis.com'),
    }));
  });
});

describe('loading the bindings', () => {
  const root = path.join(__dirname, '..', '..');
  const load = (code: string) => spawnSync(process.execPath, ['-e', `
    require('ts-node').register({ transpileOnly: true, swc: true, preferTsExts: true, compilerOptions: { module: 'commonjs' } });
    ${code}
    const keys = Object.keys(require.cache);
    console.log(JSON.stringify({ google: keys.filter((k) => k.includes('@cdktf/provider-google')).length, aws: keys.filter((k) => k.includes('@cdktf/provider-aws')).length }));
  `], { cwd: root, encoding: 'utf8' });

  test('the main entry (lib/index.ts) does not load @cdktf/provider-google', () => {
    const result = load("require('./lib/index.ts');");
    expect(result.stderr).toBe('');
    const counts = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(counts.google).toBe(0);
    expect(counts.aws).toBeGreaterThan(0);
  });

  test('the GCP entry (lib/gcp) loads no @cdktf/provider-aws, even when synthesizing the GCP platform', () => {
    const result = load(`
      const { App } = require('cdktf');
      const { buildGcpPlatform } = require('./examples/gcp-platform/main.ts');
      const app = new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'gcp-load-')) });
      buildGcpPlatform(app);
      app.synth();`);
    expect(result.stderr).toBe('');
    const counts = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(counts.aws).toBe(0);
    expect(counts.google).toBeGreaterThan(0);
  });

  test('a GCP construct without the google package installed names the package to install', () => {
    const result = spawnSync(process.execPath, ['-e', `
      require('ts-node').register({ transpileOnly: true, swc: true, preferTsExts: true, compilerOptions: { module: 'commonjs' } });
      const Module = require('module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request.startsWith('@cdktf/provider-google')) { const e = new Error("Cannot find module '" + request + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
        return resolve.call(this, request, ...rest);
      };
      const { loadGoogle } = require('./lib/gcp/google-bindings.ts');
      try { loadGoogle('provider'); } catch (e) { console.log(e.message); }
    `], { cwd: root, encoding: 'utf8' });
    expect(result.stdout).toMatch(/need the optional peer dependency @cdktf\/provider-google .*npm install @cdktf\/provider-google@\^16\.12\.1/);
  });
});
