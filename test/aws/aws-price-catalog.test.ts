import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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
const EVERY_REGION_KEYS = ['ec2:m6i.large', 'ec2:m6i.xlarge', 'ec2:m7i.large', 'ec2:m7i.xlarge', 'ec2:m7i.2xlarge', 'eks:cluster-standard',
  'eks:cluster-extended', 'vpc:nat-gateway-hour', 'vpc:nat-gateway-gb', 'ebs:gp3', 'rds-postgres:db.t4g.medium:single-az',
  'rds-postgres:db.t4g.medium:multi-az', 'rds-postgres:db.m6g.large:single-az', 'rds-postgres:db.m6g.large:multi-az',
  'rds-postgres:db.m7g.large:single-az', 'rds-postgres:db.m7g.large:multi-az', 'rds:gp3:single-az', 'rds:gp3:multi-az', 's3:standard',
  's3:put-requests', 's3:get-requests', 's3:inter-region-transfer', 's3:replication-time-control', 'kms:key', 'backup:warm', 'logs:ingestion',
  'secretsmanager:secret', 'elb:alb-hour', 'elb:alb-lcu', 'elb:nlb-hour', 'elb:nlb-lcu'];
const BASES = ['price-list', 'price-list-mirror', 'derived', 'memory'];
const DATA = JSON.parse(fs.readFileSync(path.join(__dirname, '../../lib/aws/prices/aws-prices.json'), 'utf8'));

describe('AwsPriceCatalog', () => {
  const catalog = AwsPriceCatalog.load();

  test('every catalog region has every non-GPU key', () => {
    expect(catalog.regions).toEqual([...REGIONS].sort());
    for (const region of REGIONS) {
      const missing = EVERY_REGION_KEYS.filter((key) => catalog.price(key, region) === undefined);
      expect({ region, missing }).toEqual({ region, missing: [] });
    }
    expect(catalog.price('eks:cluster-extended', 'us-east-1')!.usd).toBe(0.6);
    expect(catalog.price('ec2:m7i.large', 'us-east-1')).toMatchObject({ usd: 0.1008, unit: 'hour', date: '2026-07-20', basis: 'price-list-mirror' });
  });

  test('every entry of the data file has a positive price, a unit, a source, a date and a known basis: no silent zero', () => {
    const bad: string[] = [];
    for (const [region, entries] of Object.entries<any>(DATA.regions)) {
      for (const [key, e] of Object.entries<any>(entries)) {
        const ok = typeof e.usd === 'number' && Number.isFinite(e.usd) && e.usd > 0 && typeof e.unit === 'string' && e.unit.length > 0 &&
          /^https:\/\//.test(e.source) && /^\d{4}-\d{2}-\d{2}$/.test(e.date) && e.date <= '2026-12-31' && BASES.includes(e.basis) &&
          (e.basis !== 'derived' || (typeof e.note === 'string' && e.note.length > 20));
        if (!ok) {
          bad.push(`${key}@${region}: ${JSON.stringify(e)}`);
        }
      }
    }
    for (const [region, entries] of Object.entries<any>(DATA.notOffered)) {
      for (const [key, e] of Object.entries<any>(entries)) {
        if (!(e.reason && /^https:\/\//.test(e.source) && /^\d{4}-\d{2}-\d{2}$/.test(e.date) && BASES.includes(e.basis))) {
          bad.push(`not offered ${key}@${region}: ${JSON.stringify(e)}`);
        }
        if (DATA.regions[region]?.[key]) {
          bad.push(`${key}@${region} is both priced and not offered`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  test('every GPU catalog type is priced or explicitly not offered in every catalog region, never a silent gap', () => {
    const gaps: string[] = [];
    for (const spec of GpuInstanceCatalog.all()) {
      for (const region of REGIONS) {
        const key = `ec2:${spec.instanceType}`;
        if (catalog.price(key, region) === undefined && catalog.notOfferedReason(key, region) === undefined) {
          gaps.push(`${key}@${region}`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });

  test('us-east-1 GPU prices agree with GpuInstanceCatalog, so the report and the estimate quote one figure', () => {
    for (const spec of GpuInstanceCatalog.all()) {
      expect({ type: spec.instanceType, usd: catalog.price(`ec2:${spec.instanceType}`, 'us-east-1')?.usd })
        .toEqual({ type: spec.instanceType, usd: spec.onDemandHourlyUsd });
    }
  });

  test('regional GPU prices come from a dated source, and absent types say why', () => {
    expect(catalog.price('ec2:g6e.12xlarge', 'us-east-1')).toMatchObject({ usd: 10.49264, date: GpuInstanceCatalog.PRICE_DATE, basis: 'price-list-mirror' });
    expect(catalog.price('ec2:g5.xlarge', 'us-west-2')).toMatchObject({ usd: 1.006, date: '2026-01-21' });
    expect(catalog.price('ec2:g5.xlarge', 'eu-west-1')).toMatchObject({ usd: 1.123, unit: 'hour', date: '2026-01-21' });
    expect(catalog.price('ec2:g6e.12xlarge', 'eu-central-1')!.usd).toBe(13.12002);
    expect(catalog.price('ec2:g4dn.xlarge', 'ap-northeast-1')!.usd).toBe(0.71);
    expect(catalog.price('ec2:g6.xlarge', 'eu-west-1')).toBeUndefined();
    expect(catalog.notOfferedReason('ec2:g6.xlarge', 'eu-west-1')).toMatch(/g6\.xlarge .*eu-west-1.*not offered.*2026-01-21/);
    expect(catalog.notOfferedReason('ec2:g6.xlarge', 'us-east-1')).toBeUndefined();
    // p5e has no on-demand rate: the p5en rate stands in, labelled, where p5en is sold.
    expect(catalog.price('ec2:p5e.48xlarge', 'us-east-1')).toMatchObject({ usd: 63.296, basis: 'derived' });
    expect(catalog.notOfferedReason('ec2:p5e.48xlarge', 'eu-central-1')).toMatch(/no Linux on-demand rate/);
  });

  test('a region outside the catalog is unpriced, not zero', () => {
    expect(catalog.price('ec2:m7i.large', 'sa-east-1')).toBeUndefined();
    expect(catalog.notOfferedReason('ec2:m7i.large', 'sa-east-1')).toBeUndefined();
    expect(catalog.keys('sa-east-1')).toEqual([]);
    expect(catalog.keys('eu-west-1')).toEqual(expect.arrayContaining(EVERY_REGION_KEYS));
  });
});

describe('scripts/refresh-aws-prices.js', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const refresh = require('../../scripts/refresh-aws-prices.js');
  const product = (sku: string, productFamily: string, attributes: Record<string, string>) => ({ sku, productFamily, attributes });
  const onDemand = (sku: string, usd: string, unit: string, beginRange = '0') => ({
    [sku]: { [`${sku}.JRTCKXETXF`]: { sku, offerTermCode: 'JRTCKXETXF', effectiveDate: '2026-11-01T00:00:00Z',
      priceDimensions: { [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: { unit, pricePerUnit: { USD: usd }, beginRange, endRange: 'Inf', description: 'x' } } } },
  });
  /** A minimal offer file in the Price List bulk format: formatVersion, offerCode, publicationDate, products, terms.OnDemand. */
  const offer = (offerCode: string, products: any[], terms: object) => ({
    formatVersion: 'v1.0', disclaimer: 'test', offerCode, version: '20261120000000', publicationDate: '2026-11-20T00:00:00Z',
    products: Object.fromEntries(products.map((p) => [p.sku, p])),
    terms: { OnDemand: terms, Reserved: { SKU1: { 'SKU1.X': { priceDimensions: { 'SKU1.X.Y': { unit: 'Hrs', pricePerUnit: { USD: '0.0010' } } } } } } },
  });

  test('reads the bulk offer format and writes entries shaped like the committed file, marking absent EC2 types not offered', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prices-'));
    const write = (service: string, region: string, body: object) => {
      fs.mkdirSync(path.join(dir, service, region), { recursive: true });
      fs.writeFileSync(path.join(dir, service, region, 'index.json'), JSON.stringify(body));
    };
    const ec2Attrs = (instanceType: string, regionCode: string, extra: Record<string, string> = {}) => ({
      servicecode: 'AmazonEC2', regionCode, instanceType, operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA',
      capacitystatus: 'Used', usagetype: `EUW2-BoxUsage:${instanceType}`, ...extra,
    });
    write('AmazonEC2', 'eu-west-2', offer('AmazonEC2', [
      product('SKU1', 'Compute Instance', ec2Attrs('m7i.large', 'eu-west-2')),
      product('SKU2', 'Compute Instance', ec2Attrs('m7i.large', 'eu-west-2', { operatingSystem: 'Windows' })),
      product('SKU3', 'Compute Instance', ec2Attrs('m7i.large', 'eu-west-2-lon-1', { usagetype: 'EUW2-LON1-BoxUsage:m7i.large' })),
      product('SKU4', 'NAT Gateway', { servicecode: 'AmazonEC2', regionCode: 'eu-west-2', usagetype: 'EUW2-NatGateway-Hours' }),
      product('SKU5', 'Storage', { servicecode: 'AmazonEC2', regionCode: 'eu-west-2', volumeApiName: 'gp3', usagetype: 'EUW2-EBS:VolumeUsage.gp3' }),
    ], { ...onDemand('SKU1', '0.1116000000', 'Hrs'), ...onDemand('SKU2', '0.2000000000', 'Hrs'), ...onDemand('SKU3', '0.5000000000', 'Hrs'),
      ...onDemand('SKU4', '0.0500000000', 'Hrs'), ...onDemand('SKU5', '0.0928000000', 'GB-Mo') }));
    write('AmazonS3', 'eu-west-2', offer('AmazonS3', [
      product('S1', 'Storage', { servicecode: 'AmazonS3', regionCode: 'eu-west-2', storageClass: 'General Purpose', usagetype: 'EUW2-TimedStorage-ByteHrs' }),
      product('S2', 'API Request', { servicecode: 'AmazonS3', regionCode: 'eu-west-2', usagetype: 'EUW2-Requests-Tier1' }),
    ], {
      S1: { 'S1.T': { priceDimensions: {
        'S1.T.B': { unit: 'GB-Mo', pricePerUnit: { USD: '0.0230000000' }, beginRange: '51200', endRange: '512000' },
        'S1.T.A': { unit: 'GB-Mo', pricePerUnit: { USD: '0.0240000000' }, beginRange: '0', endRange: '51200' },
      } } },
      ...onDemand('S2', '0.0000053000', 'Requests'),
    }));
    const data = {
      regions: { 'eu-west-2': {
        'ec2:m7i.large': { usd: 0.1, unit: 'hour', source: 'https://aws.amazon.com/ec2/pricing/on-demand/', date: '2026-01-01', basis: 'memory' },
        'ec2:g6.xlarge': { usd: 1, unit: 'hour', source: 'https://aws.amazon.com/ec2/pricing/on-demand/', date: '2026-01-01', basis: 'memory' },
        'vpc:nat-gateway-hour': { usd: 0.04, unit: 'hour', source: 'https://aws.amazon.com/vpc/pricing/', date: '2026-01-01', basis: 'memory' },
        'ebs:gp3': { usd: 0.08, unit: 'GB-month', source: 'https://aws.amazon.com/ebs/pricing/', date: '2026-01-01', basis: 'memory' },
        's3:standard': { usd: 0.02, unit: 'GB-month', source: 'https://aws.amazon.com/s3/pricing/', date: '2026-01-01', basis: 'memory' },
        's3:put-requests': { usd: 0.005, unit: '1000 requests', source: 'https://aws.amazon.com/s3/pricing/', date: '2026-01-01', basis: 'memory' },
        'kms:key': { usd: 1, unit: 'month', source: 'https://aws.amazon.com/kms/pricing/', date: '2026-01-01', basis: 'memory' },
      } },
      notOffered: {},
    };
    const result = await refresh.refresh(data, { offersDir: dir, today: '2026-11-26', regions: ['eu-west-2'], log: () => undefined });
    const r = result.data.regions['eu-west-2'];
    const src = (service: string) => `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${service}/current/eu-west-2/index.json (publication 2026-11-20)`;
    expect(r['ec2:m7i.large']).toEqual({ usd: 0.1116, unit: 'hour', source: src('AmazonEC2'), date: '2026-11-20', basis: 'price-list' });
    expect(r['vpc:nat-gateway-hour']).toEqual({ usd: 0.05, unit: 'hour', source: src('AmazonEC2'), date: '2026-11-20', basis: 'price-list' });
    expect(r['ebs:gp3']).toMatchObject({ usd: 0.0928, unit: 'GB-month', basis: 'price-list' });
    expect(r['s3:standard']).toMatchObject({ usd: 0.024, unit: 'GB-month' });
    expect(r['s3:put-requests']).toMatchObject({ usd: 0.0053, unit: '1000 requests' });
    // Absent from a region's EC2 offer: not offered there, and no longer priced.
    expect(r['ec2:g6.xlarge']).toBeUndefined();
    expect(result.data.notOffered['eu-west-2']['ec2:g6.xlarge']).toEqual({
      reason: 'g6.xlarge has no Linux on-demand product in the eu-west-2 EC2 offer file: not offered there', source: src('AmazonEC2'),
      date: '2026-11-20', basis: 'price-list',
    });
    // kms has no offer file here: kept as it was, and listed.
    expect(r['kms:key']).toEqual(data.regions['eu-west-2']['kms:key']);
    expect(result.missed).toEqual([expect.stringMatching(/^kms:key@eu-west-2/)]);
    // Same shape as the committed file: every entry has exactly the committed fields.
    for (const e of Object.values<any>(r)) {
      expect(Object.keys(e).filter((k) => k !== 'note').sort()).toEqual(['basis', 'date', 'source', 'unit', 'usd']);
    }
  });

  test('streams an offer file in chunks of any size, braces and escapes inside strings included', () => {
    const body = JSON.stringify({
      formatVersion: 'v1.0', publicationDate: '2026-11-20T00:00:00Z',
      products: { A: { sku: 'A', attributes: { d: 'a {brace} and "quotes" \\ [x]' } }, B: { sku: 'B', attributes: { list: [1, { y: '}' }] } } },
      terms: { OnDemand: { A: { 'A.T': { priceDimensions: {} } } }, Reserved: { A: { 'A.R': { n: '{' } } } },
    }, null, 1);
    for (const size of [1, 2, 7, 64, body.length]) {
      const seen: any[] = [];
      const scanner = refresh.offerScanner((p: string[], v: unknown) => seen.push([p, v]));
      for (let i = 0; i < body.length; i += size) {
        scanner.write(body.slice(i, i + size));
      }
      expect(seen).toEqual([
        [['formatVersion'], 'v1.0'], [['publicationDate'], '2026-11-20T00:00:00Z'],
        [['products', 'A'], JSON.parse(body).products.A], [['products', 'B'], JSON.parse(body).products.B],
        [['terms', 'OnDemand', 'A'], { 'A.T': { priceDimensions: {} } }],
      ]);
    }
  });

  test('knows a Price List product for every key of the committed file', () => {
    const keys = new Set<string>();
    for (const entries of Object.values<any>(DATA.regions)) {
      Object.keys(entries).forEach((k) => keys.add(k));
    }
    expect([...keys].filter((k) => !refresh.match(k))).toEqual([]);
  });
});

describe('cost lines of the AWS constructs', () => {
  test('a GPU pool in a region the catalog does not price is an Annotations warning naming what is missing', () => {
    const app = newApp();
    const stack = newStack({ primaryRegion: 'sa-east-1', recoveryObjective: RecoveryObjective.businessCritical('us-east-1') }, app, 'sa');
    const cloud = new AwsCloud(stack, 'Aws');
    const cluster = new EksCluster(stack, 'Cluster', { cloud, vpc: new Vpc(stack, 'Network', { cloud }), endpointAccess: EndpointAccess.private() });
    new GpuNodePool(stack, 'Gpus', { cluster, instanceType: 'g6.xlarge', minSize: 1, maxSize: 2 });
    const estimate = stack.costEstimate();
    // The pool's nodes and disks are unpriced there, and are not counted as zero silently.
    expect(estimate.unpriced.filter((l) => l.gpuPool === 'sa/Gpus').map((l) => `${l.priceKey}@${l.region}`)).toEqual(['ec2:g6.xlarge@sa-east-1', 'ebs:gp3@sa-east-1']);
    const warn = jest.spyOn(Annotations.prototype, 'addWarning');
    try {
      app.synth();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/no aws price for ec2:g6.xlarge in sa-east-1 \(GPU nodes \(g6.xlarge, on-demand\) of sa\/Gpus\)/));
    } finally {
      warn.mockRestore();
    }
  });

  test('a GPU type the region does not sell fails synth naming the types of that GPU sold there', () => {
    const stack = newStack({ primaryRegion: 'eu-west-1', recoveryObjective: RecoveryObjective.businessCritical('eu-central-1') }, newApp(), 'eu');
    const cloud = new AwsCloud(stack, 'Aws');
    const cluster = new EksCluster(stack, 'Cluster', { cloud, vpc: new Vpc(stack, 'Network', { cloud }), endpointAccess: EndpointAccess.private() });
    expect(() => new GpuNodePool(stack, 'Gpus', { cluster, instanceType: 'g6.xlarge' }))
      .toThrow(/\[eu\/Gpus\] instanceType is not offered in eu-west-1 \(g6.xlarge has no Linux on-demand price in eu-west-1: the instance type is not offered there.*No L4 instance type is offered there: pick another GPU or region/);
    // A type sold there passes.
    expect(() => new GpuNodePool(stack, 'Gpus3', { cluster, instanceType: 'g5.xlarge' })).not.toThrow();
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
