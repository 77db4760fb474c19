#!/usr/bin/env node
/*
 * Refreshes lib/aws/prices/aws-prices.json from the public AWS Price List bulk API (no credentials needed, internet
 * needed). Untested here: it was written where there is no internet access, so check its diff before committing.
 *
 *   node scripts/refresh-aws-prices.js            # rewrites every entry it can find, keeps the others
 *
 * For each region and key it reads the on-demand offer of the service's regional price list
 * (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/<region>/index.json), finds the
 * product matching the key's attributes, and writes { usd, unit, source, date: today, basis: 'price-list' }.
 * Keys it cannot match keep their old entry (and its old date and basis), and are listed at the end.
 * The EC2 file of a region is several hundred MB: expect minutes.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const FILE = path.join(__dirname, '..', 'lib', 'aws', 'prices', 'aws-prices.json');
const BASE = 'https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws';

/** Service code and product attributes (Price List names) per key pattern. */
function match(key) {
  let m;
  if ((m = /^ec2:(.+)$/.exec(key))) {
    return { service: 'AmazonEC2', attrs: { instanceType: m[1], operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used' } };
  }
  if ((m = /^rds-postgres:(.+):(single|multi)-az$/.exec(key))) {
    return { service: 'AmazonRDS', attrs: { instanceType: m[1], databaseEngine: 'PostgreSQL', deploymentOption: m[2] === 'multi' ? 'Multi-AZ' : 'Single-AZ' } };
  }
  const fixed = {
    'eks:cluster-standard': { service: 'AmazonEKS', attrs: { operation: 'CreateOperation' }, usagetype: /AmazonEKS-Hours:perCluster$/ },
    'eks:cluster-extended': { service: 'AmazonEKS', attrs: { operation: 'ExtendedSupport' }, usagetype: /AmazonEKS-Hours:perCluster$/ },
    'vpc:nat-gateway-hour': { service: 'AmazonEC2', usagetype: /NatGateway-Hours$/ },
    'vpc:nat-gateway-gb': { service: 'AmazonEC2', usagetype: /NatGateway-Bytes$/ },
    'ebs:gp3': { service: 'AmazonEC2', attrs: { volumeApiName: 'gp3' }, usagetype: /VolumeUsage\.gp3$/ },
    'rds:gp3:single-az': { service: 'AmazonRDS', attrs: { volumeType: 'General Purpose-GP3', deploymentOption: 'Single-AZ', databaseEngine: 'PostgreSQL' } },
    'rds:gp3:multi-az': { service: 'AmazonRDS', attrs: { volumeType: 'General Purpose-GP3', deploymentOption: 'Multi-AZ', databaseEngine: 'PostgreSQL' } },
    's3:standard': { service: 'AmazonS3', usagetype: /TimedStorage-ByteHrs$/, tier: 0 },
    's3:inter-region-transfer': { service: 'AWSDataTransfer', usagetype: /-AWS-Out-Bytes$/, attrs: { transferType: 'InterRegion Outbound' } },
    's3:replication-time-control': { service: 'AmazonS3', usagetype: /RTC-Bytes$/ },
    'kms:key': { service: 'awskms', usagetype: /KMS-Keys$/ },
    'backup:warm': { service: 'AWSBackup', usagetype: /WarmStorage-ByteHrs-EBS$/ },
    'logs:ingestion': { service: 'AmazonCloudWatch', usagetype: /DataProcessing-Bytes$/, attrs: { group: 'Ingested Logs' } },
    'secretsmanager:secret': { service: 'AWSSecretsManager', usagetype: /AWSSecretsManager-Secrets$/ },
  };
  return fixed[key];
}

async function offer(service, region, cache) {
  const url = `${BASE}/${service}/current/${region}/index.json`;
  if (!cache.has(url)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    cache.set(url, { url, json: await res.json() });
  }
  return cache.get(url);
}

function findPrice(offerJson, spec) {
  for (const [sku, product] of Object.entries(offerJson.products)) {
    const a = product.attributes ?? {};
    if (spec.usagetype && !spec.usagetype.test(a.usagetype ?? '')) continue;
    if (spec.attrs && !Object.entries(spec.attrs).every(([k, v]) => a[k] === v)) continue;
    const terms = Object.values(offerJson.terms.OnDemand?.[sku] ?? {});
    const dims = terms.flatMap((t) => Object.values(t.priceDimensions))
      .filter((d) => Number(d.pricePerUnit.USD) > 0 || spec.tier === undefined)
      .sort((x, y) => Number(x.beginRange ?? 0) - Number(y.beginRange ?? 0));
    const dim = dims[spec.tier ?? 0];
    if (dim && Number(dim.pricePerUnit.USD) > 0) return { usd: Number(dim.pricePerUnit.USD), unit: dim.unit };
  }
  return undefined;
}

async function main() {
  const data = JSON.parse(fs.readFileSync(FILE, 'utf8'));
  const today = new Date().toISOString().slice(0, 10);
  const cache = new Map();
  const missed = [];
  for (const [region, entries] of Object.entries(data.regions)) {
    for (const key of Object.keys(entries)) {
      const spec = match(key);
      try {
        const o = spec && await offer(spec.service, region, cache);
        const found = o && findPrice(o.json, spec);
        if (!found) { missed.push(`${key}@${region}`); continue; }
        entries[key] = { usd: found.usd, unit: entries[key].unit, source: o.url, date: today, basis: 'price-list' };
      } catch (e) {
        missed.push(`${key}@${region} (${e.message})`);
      }
    }
  }
  fs.writeFileSync(FILE, JSON.stringify(data, null, 2) + '\n');
  console.log(`wrote ${FILE}; not refreshed (old entry kept): ${missed.length ? `\n  ${missed.join('\n  ')}` : 'none'}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
