import { Annotations } from 'cdktf';
import { buildReferencePlatform } from '../../examples/aws-platform/main';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { AwsPriceCatalog } from '../../lib/aws/aws-price-catalog';
import { EksCluster, EndpointAccess } from '../../lib/aws/eks-cluster';
import { GpuInstanceCatalog } from '../../lib/aws/gpu-instance-catalog';
import { Vpc } from '../../lib/aws/vpc';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { PlatformReport } from '../../lib/core/platform-report';
import { GpuNodePool } from '../../lib/gpu-node-pool';
import { newApp, newStack } from '../helpers';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
const EVERY_REGION_KEYS = ['ec2:m7i.large', 'eks:cluster-standard', 'eks:cluster-extended', 'vpc:nat-gateway-hour', 'vpc:nat-gateway-gb', 'ebs:gp3',
  'rds:gp3:multi-az', 's3:standard', 's3:inter-region-transfer', 'kms:key', 'backup:warm', 'logs:ingestion', 'secretsmanager:secret'];

describe('AwsPriceCatalog', () => {
  const catalog = AwsPriceCatalog.load();

  test('every large region has the non-GPU prices, each dated with a source', () => {
    expect(catalog.regions).toEqual(expect.arrayContaining(REGIONS));
    for (const region of REGIONS) {
      for (const key of EVERY_REGION_KEYS) {
        const p = catalog.price(key, region);
        expect({ region, key, ok: p !== undefined && p.usd > 0 && /^\d{4}-\d{2}-\d{2}$/.test(p.date) && p.source.startsWith('https://aws.amazon.com/') })
          .toEqual({ region, key, ok: true });
      }
    }
    expect(catalog.price('eks:cluster-extended', 'us-east-1')!.usd).toBe(0.6);
  });

  test('GPU prices come from the GPU catalog (us-east-1), and are unpriced where nobody knows them', () => {
    const g6 = GpuInstanceCatalog.lookup('g6e.12xlarge')!;
    expect(catalog.price('ec2:g6e.12xlarge', 'us-east-1')).toMatchObject({ usd: g6.onDemandHourlyUsd, date: GpuInstanceCatalog.PRICE_DATE, basis: 'gpu-instance-catalog' });
    expect(catalog.price('ec2:g5.xlarge', 'us-west-2')).toMatchObject({ usd: 1.006, basis: 'memory' });
    expect(catalog.price('ec2:g6e.12xlarge', 'us-west-2')).toBeUndefined();
    expect(catalog.price('ec2:g6.xlarge', 'eu-west-1')).toBeUndefined();
    expect(catalog.price('ec2:m7i.large', 'sa-east-1')).toBeUndefined();
  });
});

describe('cost lines of the AWS constructs', () => {
  test('a GPU pool in a region without GPU prices is an Annotations warning naming what is missing', () => {
    const app = newApp();
    const stack = newStack({ primaryRegion: 'eu-west-1', recoveryObjective: RecoveryObjective.businessCritical('eu-central-1') }, app, 'eu');
    const cloud = new AwsCloud(stack, 'Aws');
    const cluster = new EksCluster(stack, 'Cluster', { cloud, vpc: new Vpc(stack, 'Network', { cloud }), endpointAccess: EndpointAccess.private() });
    new GpuNodePool(stack, 'Gpus', { cluster, instanceType: 'g6.xlarge', minSize: 1, maxSize: 2 });
    const estimate = stack.costEstimate();
    expect(estimate.unpriced.map((l) => `${l.priceKey}@${l.region}`)).toEqual(['ec2:g6.xlarge@eu-west-1']);
    expect(estimate.gpuPools.map((p) => p.key)).toEqual(['eu/Gpus']);
    // The pool's disks are priced; its nodes are not, and are not counted as zero silently.
    expect(estimate.lines.filter((l) => l.line.gpuPool === 'eu/Gpus').map((l) => l.line.priceKey)).toEqual(['ebs:gp3']);
    const warn = jest.spyOn(Annotations.prototype, 'addWarning');
    try {
      app.synth();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/no aws price for ec2:g6.xlarge in eu-west-1 \(GPU nodes \(g6.xlarge, on-demand\) of eu\/Gpus\)/));
    } finally {
      warn.mockRestore();
    }
  });

  test('the reference platform carries the estimate, and its full scale exceeds the $25,000 budget because of the training pool', () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env).filter((k) => /^(MLOPS_|EKS_)/.test(k))) {
      delete process.env[k];
    }
    try {
      const stack = buildReferencePlatform(newApp());
      const json = PlatformReport.toJson(stack.reportInput()).costEstimate;
      expect(json.regions).toEqual(['us-east-1', 'us-west-2']);
      expect(json.unpriced).toEqual([]);
      // g6.xlarge on demand: 0-6 nodes; g6e.12xlarge spot: 0-4 nodes, 60% expected discount.
      const pools = Object.fromEntries(json.gpuPools.map((p: any) => [p.path.split('/').pop(), p]));
      expect(pools.InferenceGpus).toMatchObject({ baselineUsd: 0, fullScaleUsd: Math.round((6 * 730 * 0.8048 + 6 * 200 * 0.08) * 100) / 100 });
      expect(pools.TrainingGpus.fullScaleUsd).toBeCloseTo(4 * 730 * 10.49264 + 4 * 200 * 0.08, 1);
      expect(pools.TrainingGpus.fullScaleExpectedUsd).toBeCloseTo(4 * 730 * 10.49264 * 0.4 + 4 * 200 * 0.08, 1);
      expect(json.total.baselineUsd).toBeGreaterThan(500);
      expect(json.total.baselineUsd).toBeLessThan(25000);
      expect(json.total.fullScaleUsd).toBeGreaterThan(25000);
      expect(json.budgets).toEqual([{
        path: 'mlops-platform/Platform/Budget', monthlyLimitUsd: 25000, baselineExceeds: false, fullScaleExceeds: true,
        poolsOverBudget: ['mlops-platform/Platform/TrainingGpus'],
      }]);
      expect(json.warnings).toEqual([expect.stringMatching(/over the budget of \$25,000.00 .*TrainingGpus pushes it over/)]);
      const components = json.components.map((c: any) => c.path);
      expect(components).toEqual(expect.arrayContaining(['mlops-platform/Platform/Cluster', 'mlops-platform/Platform/Network',
        'mlops-platform/Platform/Tracking/Database', 'mlops-platform/Platform/Registry/Models', 'mlops-platform/Platform/Backups/Plan']));
      expect(PlatformReport.toMarkdown(stack.reportInput())).toMatch(/## Cost estimate[\s\S]*### GPU pools[\s\S]*TrainingGpus/);
    } finally {
      process.env = saved;
    }
  });
});
