/*
 * First contact: a synth that fails must not leave a cdk.tf.json that looks deployable beside a report that looks
 * fresh. Each case first synthesizes a good stack into an output directory, then a failing version of the same
 * app into the same directory, the way a user re-runs `cdktf synth` after an edit.
 */
import { IamGroup } from '@cdktf/provider-aws/lib/iam-group';
import { App } from 'cdktf';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { SecureBucket } from '../../lib/aws/secure-bucket';
import { PlatformStack } from '../../lib/core/platform-stack';
import { IPolicyRule, PolicyLevel } from '../../lib/core/policy/policy-rule';
import { defaultStackProps, newOutdir, readStackOutput } from '../helpers';

const alwaysFails: IPolicyRule = {
  id: 'TEST_ALWAYS_FAILS', level: PolicyLevel.ERROR, description: 'Fails every IAM group.', resourceTypes: ['aws_iam_group'],
  check: () => 'this group fails the test rule',
};

type Breakage = 'none' | 'policy' | 'rpo';

/** One app with stacks `first` and `second`; `breakFirst` makes the first stack fail synth. */
function buildApp(outdir: string, breakFirst: Breakage): App {
  const app = new App({ outdir });
  const first = new PlatformStack(app, 'first', { ...defaultStackProps(), policyRules: breakFirst === 'policy' ? [alwaysFails] : [] });
  const cloud = new AwsCloud(first, 'Aws');
  new IamGroup(first, 'Group', { name: 'readers' });
  if (breakFirst === 'rpo') {
    new SecureBucket(first, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: false }); // no backup, no replication: misses the RPO
  }
  const second = new PlatformStack(app, 'second', defaultStackProps());
  new AwsCloud(second, 'Aws');
  return app;
}

function exists(outdir: string, stack: string, file: string): boolean {
  return fs.existsSync(path.join(outdir, 'stacks', stack, file));
}

const cases: Array<[string, Breakage, Record<string, string>]> = [
  ['an ERROR policy finding (plain App.synth)', 'policy', {}],
  // `cdktf synth` sets this: cdktf then writes cdk.tf.json despite error annotations and lets the CLI print them.
  ['an ERROR policy finding (as under cdktf synth)', 'policy', { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' }],
  ['a ValidationError at synth (RPO not met)', 'rpo', {}],
  ['a ValidationError at synth (RPO not met, as under cdktf synth)', 'rpo', { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' }],
];

describe.each(cases)('a failed synth: %s', (_name, breakage, env) => {
  const saved: Record<string, string | undefined> = {};
  let outdir: string;
  let error: unknown;
  beforeAll(() => {
    outdir = newOutdir();
    buildApp(outdir, 'none').synth();
    expect(exists(outdir, 'first', 'cdk.tf.json')).toBe(true);
    expect(readStackOutput(outdir, 'first').report.status).toBe('ok');
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    try {
      buildApp(outdir, breakage).synth();
    } catch (e) {
      error = e;
    } finally {
      for (const k of Object.keys(env)) {
        if (saved[k] === undefined) {
          delete process.env[k];
        } else {
          process.env[k] = saved[k];
        }
      }
    }
  });

  test('synth throws', () => {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(breakage === 'policy' ? /TEST_ALWAYS_FAILS: this group fails the test rule/ : /recoveryObjective is not met/);
  });

  test('no cdk.tf.json is left for the failed stack, nor a stale one for the stack synth never reached', () => {
    expect(exists(outdir, 'first', 'cdk.tf.json')).toBe(false);
    expect(exists(outdir, 'second', 'cdk.tf.json')).toBe(false);
  });

  test('the failed stack\'s report says failed, with the reason, in JSON and as a Markdown banner', () => {
    const { report, markdown } = readStackOutput(outdir, 'first');
    expect(report.status).toBe('failed');
    expect(report.failure).toContain(breakage === 'policy' ? 'TEST_ALWAYS_FAILS' : 'recoveryObjective is not met');
    expect(markdown).toMatch(/^# Platform report: first\n\n> \*\*SYNTH FAILED: do not deploy this stack\.\*\*/);
    expect(markdown).toContain('(synth failed: findings may be incomplete).');
  });

  test('the report of the stack synth never reached says it was not synthesized', () => {
    const { report, markdown } = readStackOutput(outdir, 'second');
    expect(report.status).toBe('failed');
    expect(report.failure).toMatch(/^not synthesized: synth stopped at stack first/);
    expect(markdown).toContain('SYNTH FAILED');
  });
});

test('after the fix, synth writes cdk.tf.json again and the report says ok', () => {
  const outdir = newOutdir();
  expect(() => buildApp(outdir, 'policy').synth()).toThrow();
  buildApp(outdir, 'none').synth();
  for (const stack of ['first', 'second']) {
    expect(exists(outdir, stack, 'cdk.tf.json')).toBe(true);
    const { report, markdown } = readStackOutput(outdir, stack);
    expect(report.status).toBe('ok');
    expect(report.failure).toBeUndefined();
    expect(markdown).not.toContain('SYNTH FAILED');
  }
});

test('through the app runner cdktf.json uses, with the environment cdktf synth sets: exit 1, no cdk.tf.json, report failed', () => {
  const root = path.resolve(__dirname, '..', '..');
  const outdir = newOutdir();
  const appFile = path.join(root, 'test', 'core', `.synth-failure-app-${process.pid}.ts`);
  const app = (policyRules: string) => `
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamGroup } from '@cdktf/provider-aws/lib/iam-group';
import { App } from 'cdktf';
import { CostAllocation, PlatformStack, PolicyLevel, RecoveryObjective } from '../../lib';
const app = new App();
const stack = new PlatformStack(app, 'cli', {
  primaryRegion: 'us-east-1', recoveryObjective: RecoveryObjective.businessCritical('us-west-2'),
  costAllocation: new CostAllocation({ costCenter: 'cc-1', team: 't', project: 'p', environment: 'dev' }),
  policyRules: ${policyRules},
});
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
new IamGroup(stack, 'Group', { name: 'readers' });
app.synth();
`;
  const run = () => spawnSync(process.execPath, [path.join(root, 'scripts', 'app.js'), appFile], {
    cwd: root, encoding: 'utf8',
    env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true', CDKTF_MLOPS_APP_CACHE: path.join(outdir, '.cache') },
  });
  try {
    fs.writeFileSync(appFile, app('[]'));
    const good = run();
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    expect(exists(outdir, 'cli', 'cdk.tf.json')).toBe(true);
    // The user edits the app; the runner must run the edited source, not a cached transpile of the old one.
    fs.writeFileSync(appFile, app(`[{ id: 'TEST_CLI_FAILS', level: PolicyLevel.ERROR, description: 'Fails.', resourceTypes: ['aws_iam_group'], check: () => 'no' }]`));
    const bad = run();
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('TEST_CLI_FAILS: no');
    expect(exists(outdir, 'cli', 'cdk.tf.json')).toBe(false);
    expect(readStackOutput(outdir, 'cli').report.status).toBe('failed');
    // A good run again, then an app that throws before synth: the earlier cdk.tf.json must not stay behind.
    fs.writeFileSync(appFile, app('[]'));
    expect(run().status).toBe(0);
    expect(exists(outdir, 'cli', 'cdk.tf.json')).toBe(true);
    fs.writeFileSync(appFile, app('[]').replace('app.synth();', "throw new Error('bad input at construction');"));
    const crashed = run();
    expect(crashed.status).not.toBe(0);
    expect(exists(outdir, 'cli', 'cdk.tf.json')).toBe(false);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'cli', 'platform-report.json'), 'utf8'));
    expect(report.status).toBe('failed');
    expect(report.failure).toContain('bad input at construction');
  } finally {
    fs.rmSync(appFile, { force: true });
  }
});
