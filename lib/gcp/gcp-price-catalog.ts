import * as fs from 'fs';
import * as path from 'path';
import { IPriceCatalog, PriceQuote } from '../core/cost-estimate';
import { GcpGpuCatalog } from './gcp-gpu-catalog';

/** Where the GCP price data lives (shipped with the package). */
const PRICES_FILE = path.join(__dirname, 'prices', 'gcp-prices.json');

interface GpuPriceSource {
  readonly families?: string[];
  readonly source: string;
  readonly basis: string;
  readonly date: string;
}

interface PriceFile {
  readonly regions: { [region: string]: { [key: string]: PriceQuote } };
  readonly gpuPrices: { [region: string]: GpuPriceSource };
}

/**
 * Google Cloud list prices per region, from the dated data file `lib/gcp/prices/gcp-prices.json` (us-central1,
 * us-east1, europe-west1, europe-west4). GPU machine prices come from {@link GcpGpuCatalog} for the regions the
 * data file names. Keys: `gce:<machine type>`, `gce:pd-balanced`, `gke:cluster`, `nat:vm-hour`, `nat:data-gb`,
 * `kms:key-version`, `gcs:standard`, `gcs:inter-region-transfer`, `secretmanager:secret-version-replica`,
 * `cloudsql:enterprise:vcpu|memory-gib:regional|zonal`, `cloudsql:ssd:regional|zonal`, `cloudsql:backup`,
 * `artifactregistry:storage`, `gkebackup:pod-month`, `gkebackup:storage`, `logging:ingestion`. A key a region
 * lacks is unpriced: the estimate warns, naming it.
 *
 * @example
 * const price = GcpPriceCatalog.load().price('gce:g2-standard-8', 'us-central1');
 */
export class GcpPriceCatalog implements IPriceCatalog {
  /** Loads the catalog shipped with the library (read once per process). */
  public static load(): GcpPriceCatalog {
    GcpPriceCatalog.cached ??= new GcpPriceCatalog(JSON.parse(fs.readFileSync(PRICES_FILE, 'utf8')));
    return GcpPriceCatalog.cached;
  }

  private static cached?: GcpPriceCatalog;

  public readonly cloudName = 'gcp';

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
    const gpu = key.startsWith('gce:') ? GcpGpuCatalog.lookupGcp(key.slice(4)) : undefined;
    const source = this.data.gpuPrices[region];
    if (!gpu || gpu.onDemandHourlyUsd === undefined || !source || (source.families && !source.families.includes(gpu.family))) {
      return undefined;
    }
    return { usd: gpu.onDemandHourlyUsd, unit: 'hour', source: source.source, date: source.date, basis: source.basis };
  }
}
