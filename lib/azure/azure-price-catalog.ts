import * as fs from 'fs';
import * as path from 'path';
import { IPriceCatalog, PriceQuote } from '../core/cost-estimate';
import { AzureGpuCatalog } from './azure-gpu-catalog';

/** Where the Azure price data lives (shipped with the package). */
const PRICES_FILE = path.join(__dirname, 'prices', 'azure-prices.json');

interface GpuPriceSource {
  readonly factor: number;
  readonly source: string;
  readonly basis: string;
  readonly date: string;
}

interface PriceFile {
  readonly regions: { [region: string]: { [key: string]: PriceQuote } };
  readonly gpuPrices: { [region: string]: GpuPriceSource };
}

/**
 * Azure list prices per region, from the dated data file `lib/azure/prices/azure-prices.json` (eastus, eastus2,
 * centralus, southcentralus, westus2, westus3, westeurope, northeurope, uksouth, swedencentral). GPU VM prices come
 * from {@link AzureGpuCatalog} (East US) times the region's factor. Keys: `aks:standard-tier` (hour),
 * `vm:<size>` (hour), `disk:premium-ssd|standard-ssd|snapshot` (GB-month), `nat:gateway-hour`, `nat:data-gb`,
 * `publicip:standard-hour`, `privatelink:endpoint-hour`, `privatedns:zone` (month),
 * `blob:hot-lrs|hot-zrs|hot-grs|hot-ragrs|hot-gzrs|hot-ragzrs` (GB-month), `blob:geo-replication-gb` (GB),
 * `blob:hot:lrs|zrs|grs|ragrs|gzrs|ragzrs` (GB-month), `bandwidth:inter-region` (GB),
 * `postgres:gp-vcore-hour|mo-vcore-hour` (hour per vCore), `postgres-flexible:<SKU>` (hour: vCores x the tier's
 * vCore price), `postgres-flexible:storage|backup-geo`, `postgres:storage-gb|backup-gb|geo-backup-gb` (GB-month),
 * `acr:premium-hour` (per registry or replica), `acr:premium-registry` (month), `acr:storage-gb` (GB-month beyond
 * 500 GB), `keyvault:hsm-key` (month), `keyvault:operations-10k`, `keyvault:secret-operations-10k` (per 10,000),
 * `backup:vault-grs`, `backup:vault-grs-gb` (GB-month),
 * `backup:blob-instance|postgres-instance|disk-instance` (month), `loganalytics:ingestion-gb` (GB),
 * `monitor:prometheus-10m-samples`. A key a region lacks is unpriced: the estimate warns, naming it.
 *
 * @example
 * const price = AzurePriceCatalog.load().price('vm:Standard_NC24ads_A100_v4', 'eastus2');
 */
export class AzurePriceCatalog implements IPriceCatalog {
  /** Loads the catalog shipped with the library (read once per process). */
  public static load(): AzurePriceCatalog {
    AzurePriceCatalog.cached ??= new AzurePriceCatalog(JSON.parse(fs.readFileSync(PRICES_FILE, 'utf8')));
    return AzurePriceCatalog.cached;
  }

  private static cached?: AzurePriceCatalog;

  public readonly cloudName = 'azure';

  private constructor(private readonly data: PriceFile) {}

  /** Regions the catalog has prices for. */
  public get regions(): string[] {
    return Object.keys(this.data.regions).sort();
  }

  public price(key: string, region: string): PriceQuote | undefined {
    const quote = this.data.regions[region]?.[key];
    if (quote) {
      return { usd: quote.usd, unit: quote.unit, source: quote.source, date: quote.date, basis: quote.basis };
    }
    // PostgreSQL flexible server compute: vCores of the SKU (`GP_Standard_D4ds_v5`: 4) times the tier's vCore price.
    const sku = /^postgres-flexible:(GP|MO)_Standard_[DE](\d{1,3})[a-z]*_v\d$/.exec(key);
    if (sku) {
      const vcore = this.data.regions[region]?.[sku[1] === 'GP' ? 'postgres:gp-vcore-hour' : 'postgres:mo-vcore-hour'];
      return vcore ? { usd: Math.round(vcore.usd * Number(sku[2]) * 100000) / 100000, unit: 'hour', source: vcore.source, date: vcore.date, basis: vcore.basis } : undefined;
    }
    const gpu = key.startsWith('vm:') ? AzureGpuCatalog.lookupAzure(key.slice(3)) : undefined;
    const source = this.data.gpuPrices[region];
    if (!gpu || gpu.onDemandHourlyUsd === undefined || !source) {
      return undefined;
    }
    return { usd: Math.round(gpu.onDemandHourlyUsd * source.factor * 10000) / 10000, unit: 'hour', source: source.source, date: source.date, basis: source.basis };
  }
}
