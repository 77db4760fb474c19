#!/usr/bin/env bash
# Consumer install test: pack the library, check what the tarball ships, install it into a fresh project with
# only the peer dependencies, compile a custom stack that imports the constructs by package name, synthesize it.
# Needs `npm run build` first (the tarball ships the compiled lib/ and .jsii).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/mlops-consumer-XXXXXX")"
trap 'rm -rf "$work"' EXIT

cd "$root"
test -f lib/index.js || { echo "lib/index.js missing: run 'npm run build' first"; exit 1; }
tarball="$(npm pack --silent --pack-destination "$work" | tail -1)"
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"

listing="$(tar -tzf "$work/$tarball")"
for forbidden in 'package/test/' 'package/examples/' '__snapshots__' 'package/cdktf.out/' '.test.' 'package/bench/' 'package/scripts/' 'package/node_modules/'; do
  if grep -q -- "$forbidden" <<<"$listing"; then
    echo "the tarball ships $forbidden:"; grep -- "$forbidden" <<<"$listing" | head; exit 1
  fi
done
for required in package/lib/index.js package/lib/index.d.ts package/.jsii package/API.md package/README.md; do
  grep -qx -- "$required" <<<"$listing" || { echo "the tarball lacks $required"; exit 1; }
done

# Peer dependencies at the versions this repository pins for development.
peer() { (cd "$root" && node -p "require('./package.json').devDependencies['$1']"); }
v_cdktf="$(peer cdktf)"; v_constructs="$(peer constructs)"; v_aws="$(peer @cdktf/provider-aws)"
v_helm="$(peer @cdktf/provider-helm)"; v_k8s="$(peer @cdktf/provider-kubernetes)"; v_ts="$(peer typescript)"; v_node="$(peer @types/node)"
cd "$work"
cat > package.json <<JSON
{
  "name": "mlops-consumer",
  "private": true,
  "dependencies": {
    "cdktf-mlops": "file:./$tarball",
    "cdktf": "$v_cdktf",
    "constructs": "$v_constructs",
    "@cdktf/provider-aws": "$v_aws",
    "@cdktf/provider-helm": "$v_helm",
    "@cdktf/provider-kubernetes": "$v_k8s"
  },
  "devDependencies": { "typescript": "$v_ts", "@types/node": "$v_node" }
}
JSON
cat package.json
npm install --prefer-offline --no-audit --no-fund --loglevel=error

cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "es2020", "module": "commonjs", "strict": true, "skipLibCheck": true, "outDir": "dist" }, "files": ["main.ts"] }
JSON
cat > main.ts <<'TS'
import { App } from 'cdktf';
import {
  AwsCloud, BackupPolicy, BudgetAlerts, CostAllocation, EksCluster, ExperimentTracking, PlatformStack, RecoveryObjective,
} from 'cdktf-mlops';

const app = new App({ outdir: 'cdktf.out' });
const stack = new PlatformStack(app, 'consumer', {
  primaryRegion: 'eu-west-1',
  costAllocation: new CostAllocation({ costCenter: 'cc-1', team: 'search', project: 'ranking', environment: 'dev' }),
  recoveryObjective: RecoveryObjective.standard('eu-central-1'),
});
const cloud = new AwsCloud(stack, 'Aws');
const cluster = EksCluster.fromClusterAttributes(stack, 'Cluster', {
  cloud, clusterName: 'search-dev', endpoint: 'https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com',
  certificateAuthorityData: 'LS0tCg==', privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  clusterSecurityGroupId: 'sg-0123456789abcdef0', nodeRoleArn: 'arn:aws:iam::123456789012:role/search-dev-nodes',
});
new ExperimentTracking(stack, 'Tracking', { cluster, cloud, replicas: 1 });
new BackupPolicy(stack, 'Backups', { cloud });
new BudgetAlerts(stack, 'Budget', { cloud, monthlyLimitUsd: 1000, emails: ['search@example.com'] });
app.synth();
TS
npx tsc -p tsconfig.json
node dist/main.js
test -s cdktf.out/stacks/consumer/cdk.tf.json
test -s cdktf.out/stacks/consumer/platform-report.json
node -e "
const tf = require('./cdktf.out/stacks/consumer/cdk.tf.json');
const n = Object.values(tf.resource).reduce((a, r) => a + Object.keys(r).length, 0);
if (!tf.resource.aws_db_instance || n < 30) { console.error('unexpected output: ' + n + ' resources'); process.exit(1); }
console.log('consumer stack synthesized: ' + n + ' resources');
"
echo "consumer install test passed"
