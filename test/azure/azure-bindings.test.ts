/*
 * Users of one cloud never load another cloud's bindings: the main barrel loads no @cdktf/provider-azurerm, and
 * the Azure entry (lib/azure) loads neither @cdktf/provider-aws nor @cdktf/provider-google, even when it
 * synthesizes the Azure platform.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');

function load(code: string): { stderr: string; counts: { azurerm: number; aws: number; google: number } } {
  const result = spawnSync(process.execPath, ['-e', `
    require('ts-node').register({ transpileOnly: true, swc: true, preferTsExts: true, compilerOptions: { module: 'commonjs' } });
    ${code}
    const keys = Object.keys(require.cache);
    const count = (p) => keys.filter((k) => k.includes(p)).length;
    console.log(JSON.stringify({ azurerm: count('@cdktf/provider-azurerm'), aws: count('@cdktf/provider-aws'), google: count('@cdktf/provider-google') }));
  `], { cwd: root, encoding: 'utf8' });
  return { stderr: result.stderr, counts: JSON.parse((result.stdout.trim().split('\n').pop() ?? '{}') || '{}') };
}

describe('loading the azurerm bindings', () => {
  test('the main entry (lib/index.ts) does not load @cdktf/provider-azurerm', () => {
    const { stderr, counts } = load("require('./lib/index.ts');");
    expect(stderr).toBe('');
    expect(counts.azurerm).toBe(0);
    expect(counts.aws).toBeGreaterThan(0);
  });

  test('the Azure entry (lib/azure) loads no AWS or Google bindings, even when synthesizing an Azure stack', () => {
    const { stderr, counts } = load(`
      const { App } = require('cdktf');
      const az = require('./lib/azure/index.ts');
      const app = new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'azure-load-')) });
      const stack = new az.PlatformStack(app, 'azure', {
        primaryRegion: 'eastus2',
        costAllocation: new az.CostAllocation({ costCenter: 'cc-4512', team: 'ml-platform', project: 'fraud', environment: 'prod' }),
        recoveryObjective: az.RecoveryObjective.businessCritical('centralus'),
      });
      const cloud = new az.AzureCloud(stack, 'Azure', { subscriptionId: '11111111-2222-3333-4444-555555555555', deployerCidrs: ['203.0.113.0/24'] });
      const cluster = new az.AksCluster(stack, 'Cluster', { cloud });
      new az.GpuNodePool(stack, 'Gpu', { cluster, instanceType: 'Standard_NC4as_T4_v3' });
      app.synth();`);
    expect(stderr).toBe('');
    expect(counts.aws).toBe(0);
    expect(counts.google).toBe(0);
    expect(counts.azurerm).toBeGreaterThan(0);
  });

  test('an Azure construct without the azurerm package installed names the package to install', () => {
    const result = spawnSync(process.execPath, ['-e', `
      require('ts-node').register({ transpileOnly: true, swc: true, preferTsExts: true, compilerOptions: { module: 'commonjs' } });
      const Module = require('module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request.startsWith('@cdktf/provider-azurerm')) { const e = new Error("Cannot find module '" + request + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
        return resolve.call(this, request, ...rest);
      };
      const { loadAzurerm } = require('./lib/azure/azurerm-bindings.ts');
      try { loadAzurerm('provider'); } catch (e) { console.log(e.message); }
    `], { cwd: root, encoding: 'utf8' });
    expect(result.stdout).toMatch(/need the optional peer dependency @cdktf\/provider-azurerm.*npm install @cdktf\/provider-azurerm@\^14\.23\.1/);
  });
});
