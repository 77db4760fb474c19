/*
 * Upgrade safety: the Terraform address of every stateful resource in the reference stacks is recorded in
 * stateful-addresses.json. A changed address (a renamed construct id, a moved construct) makes the next
 * `terraform apply` destroy the old resource and create an empty one, so this test fails until the change is
 * either reverted or carried by a `moved` block. Record new stateful resources with
 * `UPDATE_STATEFUL_ADDRESSES=1 npx jest test/upgrade-safety.test.ts`.
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildReferencePlatform } from '../examples/aws-platform/main';
import { buildCustomStack } from '../examples/custom-stack/main';

/**
 * Resource types that hold data or protect it; losing one loses data or the means to read it (a re-created
 * application-role secret gets a new password the database role does not have; a re-created automated backups
 * replication starts the DR copy of the database over).
 */
const STATEFUL_TYPES = [
  'aws_db_instance', 'aws_db_instance_automated_backups_replication', 'aws_s3_bucket', 'aws_backup_vault', 'aws_kms_key', 'aws_ecr_repository',
  'aws_secretsmanager_secret', 'aws_elasticache_replication_group',
];
const RECORD = path.join(__dirname, 'stateful-addresses.json');

type Addresses = { [stack: string]: { [address: string]: string } };

function synthesizedAddresses(): Addresses {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-addresses-'));
  const app = new App({ outdir });
  const stacks = [buildReferencePlatform(app), buildCustomStack(app)];
  app.synth();
  const result: Addresses = {};
  for (const stack of stacks) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
    const addresses: { [address: string]: string } = {};
    for (const type of STATEFUL_TYPES) {
      for (const [name, config] of Object.entries<any>(json.resource?.[type] ?? {})) {
        addresses[`${type}.${name}`] = config['//']?.metadata?.path ?? '';
      }
    }
    result[stack.node.id] = addresses;
  }
  return result;
}

/** Explains, for one vanished address, what it costs and how to carry state over. */
export function explainChangedAddress(stack: string, address: string, constructPath: string, candidates: string[]): string {
  const type = address.split('.')[0];
  const replacement = candidates.filter((c) => c.startsWith(`${type}.`));
  return [
    `[${stack}] stateful resource ${address} (construct ${constructPath}) is gone from the synthesized stack.`,
    'On the next `terraform apply` Terraform would DESTROY it and create a new, empty one: its data is lost.',
    replacement.length > 0 ? `New addresses of the same type: ${replacement.join(', ')}.` : '',
    'Fix: rename the construct id back. If the new id must stay, move the state instead of recreating it:',
    `call resource.moveFromId('${address}') on the new resource (cdktf writes a \`moved\` block),`,
    `or run \`terraform state mv ${address} <new address>\` before applying; then record the new address here.`,
  ].filter((line) => line !== '').join('\n');
}

describe('stateful resource addresses', () => {
  const current = synthesizedAddresses();

  if (process.env.UPDATE_STATEFUL_ADDRESSES) {
    fs.writeFileSync(RECORD, JSON.stringify(current, null, 2) + '\n');
  }
  const recorded: Addresses = JSON.parse(fs.readFileSync(RECORD, 'utf8'));

  it.each(Object.keys(recorded))('no recorded stateful address of %s has changed', (stack) => {
    const now = current[stack] ?? {};
    const added = Object.keys(now).filter((a) => !(a in recorded[stack]));
    const problems = Object.entries(recorded[stack])
      .filter(([address]) => !(address in now))
      .map(([address, constructPath]) => explainChangedAddress(stack, address, constructPath, added));
    if (problems.length > 0) {
      throw new Error(problems.join('\n\n'));
    }
  });

  it('every stateful resource is recorded', () => {
    const unrecorded = Object.entries(current).flatMap(([stack, addresses]) =>
      Object.keys(addresses).filter((a) => !(a in (recorded[stack] ?? {}))).map((a) => `${stack}: ${a}`));
    expect(unrecorded).toEqual([]);
  });

  it('covers databases and their backup replication, buckets, vaults, keys, repositories and secrets of the reference platform', () => {
    const types = new Set(Object.keys(recorded['mlops-platform']).map((a) => a.split('.')[0]));
    expect([...types].sort()).toEqual([...STATEFUL_TYPES].sort());
  });

  it('explains a renamed construct id in terms of data loss and moved blocks', () => {
    const message = explainChangedAddress('mlops-platform', 'aws_db_instance.Platform_Tracking_Database_E77019A0',
      'mlops-platform/Platform/Tracking/Database/Resource', ['aws_db_instance.Platform_Tracking_Db_0123ABCD']);
    expect(message).toMatch(/DESTROY it and create a new, empty one/);
    expect(message).toMatch(/moveFromId\('aws_db_instance\.Platform_Tracking_Database_E77019A0'\)/);
    expect(message).toMatch(/terraform state mv/);
    expect(message).toMatch(/aws_db_instance\.Platform_Tracking_Db_0123ABCD/);
  });
});
