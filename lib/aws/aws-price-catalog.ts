import * as fs from 'fs';
import * as path from 'path';
import { IPriceCatalog, PriceQuote } from '../core/cost-estimate';

/** Where the AWS price data lives (shipped with the package; refreshed by scripts/refresh-aws-prices.js). */
const PRICES_FILE = path.join(__dirname, 'prices', 'aws-prices.json');

/** One price of the data file: a PriceQuote, plus how it was obtained when that is not plain. */
interface PriceEntry extends PriceQuote {
  readonly note?: string;
}

/** A key AWS does not sell in a region (e.g. a GPU type absent from it), with the source of that finding. */
interface NotOfferedEntry {
  readonly reason: string;
  readonly source: string;
  readonly date: string;
  readonly basis: string;
}

interface PriceFile {
  readonly regions: { [region: string]: { [key: string]: PriceEntry } };
  readonly notOffered?: { [region: string]: { [key: string]: NotOfferedEntry } };
}

/**
 * AWS list prices per region, from the dated data file `lib/aws/prices/aws-prices.json`: every figure carries its
 * source, the date it has there and its basis (`price-list`, `price-list-mirror`, `derived` or `memory`). Keys:
 * `ec2:<type>` (system node types and every type of GpuInstanceCatalog), `eks:cluster-standard`, `eks:cluster-extended`,
 * `vpc:nat-gateway-hour`, `vpc:nat-gateway-gb`, `ebs:gp3`, `rds-postgres:<class>:single-az|multi-az`,
 * `rds:gp3:single-az|multi-az`, `s3:standard`, `s3:put-requests`, `s3:get-requests` (per 1,000),
 * `s3:inter-region-transfer`, `s3:replication-time-control`, `kms:key`, `backup:warm`, `logs:ingestion`,
 * `secretsmanager:secret`, `elb:alb-hour`, `elb:alb-lcu`, `elb:nlb-hour`, `elb:nlb-lcu`.
 * A key AWS does not offer in a region has no price there and {@link notOfferedReason} says why.
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

  /** Cloud the prices are for: `aws`. */
  public readonly cloudName = 'aws';

  private constructor(private readonly data: PriceFile) {}

  /** Regions the catalog has prices for. */
  public get regions(): string[] {
    return Object.keys(this.data.regions).sort();
  }

  /** Keys priced in a region (empty for a region the catalog does not cover). */
  public keys(region: string): string[] {
    return Object.keys(this.data.regions[region] ?? {}).sort();
  }

  /** The price of `key` in `region`, or undefined when it is unpriced or not offered there (never zero). */
  public price(key: string, region: string): PriceQuote | undefined {
    const entry = this.data.regions[region]?.[key];
    return entry && entry.usd > 0 ? entry : undefined;
  }

  /**
   * Why `key` has no price in `region` because AWS does not offer it there (e.g. `g6.xlarge` in eu-west-1), with the
   * source and date of that finding; undefined when it is offered or simply unpriced.
   */
  public notOfferedReason(key: string, region: string): string | undefined {
    const entry = this.data.notOffered?.[region]?.[key];
    return entry ? `${entry.reason} (${entry.source}, ${entry.date})` : undefined;
  }
}
