import * as fs from 'fs';
import * as path from 'path';
import { IPriceCatalog, PriceQuote } from '../core/cost-estimate';
import { GpuInstanceCatalog } from './gpu-instance-catalog';

/** Where the AWS price data lives (shipped with the package; refreshed by scripts/refresh-aws-prices.js). */
const PRICES_FILE = path.join(__dirname, 'prices', 'aws-prices.json');

interface GpuPriceSource {
  readonly families: string[] | 'all';
  readonly source: string;
  readonly basis?: string;
  readonly date?: string;
}

interface PriceFile {
  readonly regions: { [region: string]: { [key: string]: PriceQuote } };
  readonly gpuPrices: { [region: string]: GpuPriceSource };
}

/**
 * AWS list prices per region, from the dated data file `lib/aws/prices/aws-prices.json`. GPU instance prices
 * come from {@link GpuInstanceCatalog} (us-east-1 prices, and the regions the data file says list them at the same
 * rate), so they are kept in one place. Keys: `ec2:<type>`, `eks:cluster-standard`, `eks:cluster-extended`,
 * `vpc:nat-gateway-hour`, `vpc:nat-gateway-gb`, `ebs:gp3`, `rds-postgres:<class>:single-az|multi-az`,
 * `rds:gp3:single-az|multi-az`, `s3:standard`, `s3:inter-region-transfer`, `s3:replication-time-control`,
 * `kms:key`, `backup:warm`, `logs:ingestion`, `secretsmanager:secret`.
 *
 * @example
 * const price = AwsPriceCatalog.load().price('ec2:m7i.large', 'us-east-1');
 */
export class AwsPriceCatalog implements IPriceCatalog {
  /** Loads the catalog shipped with the library (read once per process). */
  public static load(): AwsPriceCatalog {
    AwsPriceCatalog.cached ??= new AwsPriceCatalog(JSON.parse(fs.readFileSync(PRICES_FILE, 'utf8')));
    return AwsPriceCatalog.cached;
  }

  private static cached?: AwsPriceCatalog;

  public readonly cloudName = 'aws';

  private constructor(private readonly data: PriceFile) {}

  /** Regions the catalog has prices for. */
  public get regions(): string[] {
    return Object.keys(this.data.regions).sort();
  }

  public price(key: string, region: string): PriceQuote | undefined {
    const quote = this.data.regions[region]?.[key];
    if (quote) {
      return quote;
    }
    const gpu = key.startsWith('ec2:') ? GpuInstanceCatalog.lookup(key.slice(4)) : undefined;
    const source = this.data.gpuPrices[region];
    if (!gpu || !source || (source.families !== 'all' && !source.families.includes(gpu.family))) {
      return undefined;
    }
    return {
      usd: gpu.onDemandHourlyUsd,
      unit: 'hour',
      source: source.source,
      date: source.date ?? GpuInstanceCatalog.PRICE_DATE,
      basis: source.basis ?? 'gpu-instance-catalog',
    };
  }
}
