import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { isUnresolved } from '../core/validate';

/*
 * Azure public-cloud regions (programmatic names as `az account list-locations` prints them), their paired
 * regions and which have availability zones, as listed on https://learn.microsoft.com/azure/reliability/
 * cross-region-replication-azure and .../availability-zones-region-support on 2026-11-26 (from memory of those
 * pages: refresh with `az account list-locations -o table`).
 */

/** Paired region of every Azure region that has one; `undefined` for the newer regions without a pair. */
const PAIRS: { [region: string]: string | undefined } = {
  eastus: 'westus', westus: 'eastus', eastus2: 'centralus', centralus: 'eastus2',
  northcentralus: 'southcentralus', southcentralus: 'northcentralus', westus2: 'westcentralus', westcentralus: 'westus2',
  westus3: 'eastus', canadacentral: 'canadaeast', canadaeast: 'canadacentral', brazilsouth: 'southcentralus',
  mexicocentral: undefined, chilecentral: undefined,
  northeurope: 'westeurope', westeurope: 'northeurope', uksouth: 'ukwest', ukwest: 'uksouth',
  francecentral: 'francesouth', francesouth: 'francecentral', germanywestcentral: 'germanynorth', germanynorth: 'germanywestcentral',
  switzerlandnorth: 'switzerlandwest', switzerlandwest: 'switzerlandnorth', norwayeast: 'norwaywest', norwaywest: 'norwayeast',
  swedencentral: 'swedensouth', swedensouth: 'swedencentral', polandcentral: undefined, italynorth: undefined, spaincentral: undefined,
  eastasia: 'southeastasia', southeastasia: 'eastasia', japaneast: 'japanwest', japanwest: 'japaneast',
  koreacentral: 'koreasouth', koreasouth: 'koreacentral', centralindia: 'southindia', southindia: 'centralindia', westindia: 'southindia',
  australiaeast: 'australiasoutheast', australiasoutheast: 'australiaeast', australiacentral: 'australiacentral2', australiacentral2: 'australiacentral',
  newzealandnorth: undefined, indonesiacentral: undefined, malaysiawest: undefined,
  uaenorth: 'uaecentral', uaecentral: 'uaenorth', qatarcentral: undefined, israelcentral: undefined,
  southafricanorth: 'southafricawest', southafricawest: 'southafricanorth',
};

/** Azure public-cloud regions the library accepts. */
export const AZURE_REGIONS: ReadonlyArray<string> = Object.freeze(Object.keys(PAIRS).sort());

/** Regions with three availability zones (zone-redundant AKS pools, PostgreSQL HA, ZRS/GZRS storage). */
export const AZURE_ZONE_REGIONS: ReadonlyArray<string> = Object.freeze([
  'australiaeast', 'brazilsouth', 'canadacentral', 'centralindia', 'centralus', 'chilecentral', 'eastasia', 'eastus', 'eastus2',
  'francecentral', 'germanywestcentral', 'indonesiacentral', 'israelcentral', 'italynorth', 'japaneast', 'japanwest', 'koreacentral',
  'malaysiawest', 'mexicocentral', 'newzealandnorth', 'northeurope', 'norwayeast', 'polandcentral', 'qatarcentral', 'southafricanorth',
  'southcentralus', 'southeastasia', 'spaincentral', 'swedencentral', 'switzerlandnorth', 'uaenorth', 'uksouth', 'westeurope',
  'westus2', 'westus3',
]);

/** The Azure paired region of `region` (where GRS/RA-GRS storage copies go), or undefined when it has none. */
export function azurePairedRegion(region: string): string | undefined {
  return PAIRS[region];
}

/** True when the region has availability zones. */
export function azureRegionHasZones(region: string): boolean {
  return AZURE_ZONE_REGIONS.includes(region);
}

/** Throws unless the value is an Azure region's programmatic name, naming the closest ones. */
export function checkAzureRegion(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  if (!AZURE_REGIONS.includes(value)) {
    const hint = typeof value === 'string' ? value.toLowerCase().replace(/[^a-z0-9]/g, '') : '';
    const near = AZURE_REGIONS.filter((r) => hint.length >= 4 && (r.includes(hint.slice(0, 4)) || hint.includes(r)));
    throw new ValidationError(scope, prop, value, 'is not an Azure region name',
      `Use the programmatic name (lower case, no spaces), one of ${(near.length > 0 ? near : AZURE_REGIONS).join(', ')}.`);
  }
}
