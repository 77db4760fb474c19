#!/usr/bin/env node
/*
 * Refreshes lib/aws/prices/aws-prices.json from the public AWS Price List bulk files (no credentials needed).
 *
 *   node scripts/refresh-aws-prices.js                       # download the offer files (needs internet)
 *   node scripts/refresh-aws-prices.js --offers-dir DIR      # or read DIR/<service>/<region>/index.json, saved before
 *   node scripts/refresh-aws-prices.js --region eu-west-1    # only some regions (repeatable)
 *   node scripts/refresh-aws-prices.js --out FILE            # write elsewhere (default: the committed file)
 *
 * For each region of the file and each key any region has (so every region ends up with the same keys), it reads the
 * service's regional offer file, https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/<region>/index.json
 * ({ formatVersion, offerCode, publicationDate, products: { <sku>: { productFamily, attributes } },
 *    terms: { OnDemand: { <sku>: { <offerTermCode>: { priceDimensions: { <rateCode>: { unit, pricePerUnit: { USD },
 *    beginRange } } } } } } }), finds the product of the key and writes
 *   { usd, unit, source: '<offer url> (publication <date>)', date: <publication date>, basis: 'price-list' }
 * in the shape of the committed entries. An EC2 type the region's EC2 offer does not list is moved to "notOffered".
 * Any other key it cannot match keeps its old entry (old date and basis) and is listed at the end.
 * The EC2 offer of a large region is over a gigabyte: the file is streamed, never held whole in memory; expect minutes.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const FILE = path.join(__dirname, '..', 'lib', 'aws', 'prices', 'aws-prices.json');
const BASE = 'https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws';

/** usagetype carries a region prefix outside us-east-1 (`USE2-NatGateway-Hours`): match the suffix after it. */
const usage = (suffix) => new RegExp(`(^|-)${suffix}$`);

/**
 * The Price List product of a catalog key: service code, a predicate on the product (productFamily, attributes), the
 * price-list unit(s) accepted, a multiplier to the catalog unit, and how to pick among several matching products.
 */
function match(key) {
  let m;
  if ((m = /^ec2:(.+)$/.exec(key))) {
    const type = m[1];
    return {
      service: 'AmazonEC2', units: ['Hrs'], ec2Type: type,
      test: (p, a) => /^Compute Instance/.test(p.productFamily ?? '') && a.instanceType === type && a.operatingSystem === 'Linux' &&
        a.tenancy === 'Shared' && (a.preInstalledSw ?? 'NA') === 'NA' && (a.capacitystatus ?? 'Used') === 'Used' && /BoxUsage:/.test(a.usagetype ?? ''),
    };
  }
  if ((m = /^rds-postgres:(.+):(single|multi)-az$/.exec(key))) {
    const [cls, az] = [m[1], m[2] === 'multi' ? 'Multi-AZ' : 'Single-AZ'];
    return {
      service: 'AmazonRDS', units: ['Hrs'],
      test: (p, a) => p.productFamily === 'Database Instance' && a.instanceType === cls && a.databaseEngine === 'PostgreSQL' && a.deploymentOption === az,
    };
  }
  if ((m = /^rds:gp3:(single|multi)-az$/.exec(key))) {
    const az = m[1] === 'multi' ? 'Multi-AZ' : 'Single-AZ';
    return {
      service: 'AmazonRDS', units: ['GB-Mo'],
      test: (p, a) => p.productFamily === 'Database Storage' && a.volumeType === 'General Purpose-GP3' && a.deploymentOption === az &&
        ['PostgreSQL', 'Any', undefined].includes(a.databaseEngine),
    };
  }
  if ((m = /^elasticache-valkey:(.+)$/.exec(key))) {
    const type = m[1];
    return {
      service: 'AmazonElastiCache', units: ['Hrs'],
      test: (p, a) => p.productFamily === 'Cache Instance' && a.instanceType === type && /^valkey$/i.test(a.cacheEngine ?? ''),
    };
  }
  const byUsage = (service, suffix, units, extra = {}) => ({ service, units, test: (p, a) => usage(suffix).test(a.usagetype ?? '') && (!extra.family || p.productFamily === extra.family), ...extra });
  const fixed = {
    'eks:cluster-standard': { service: 'AmazonEKS', units: ['Hrs', 'hours'], test: (p, a) => usage('AmazonEKS-Hours:perCluster').test(a.usagetype ?? '') && a.operation !== 'ExtendedSupport' },
    'eks:cluster-extended': { service: 'AmazonEKS', units: ['Hrs', 'hours'], test: (p, a) => /AmazonEKS-Hours:/.test(a.usagetype ?? '') && (a.operation === 'ExtendedSupport' || /extendedSupport/i.test(a.usagetype)) },
    'vpc:nat-gateway-hour': byUsage('AmazonEC2', 'NatGateway-Hours', ['Hrs']),
    'vpc:nat-gateway-gb': byUsage('AmazonEC2', 'NatGateway-Bytes', ['GB']),
    'ebs:gp3': { service: 'AmazonEC2', units: ['GB-Mo'], test: (p, a) => a.volumeApiName === 'gp3' && usage('EBS:VolumeUsage\\.gp3').test(a.usagetype ?? '') },
    's3:standard': byUsage('AmazonS3', 'TimedStorage-ByteHrs', ['GB-Mo']),
    's3:put-requests': byUsage('AmazonS3', 'Requests-Tier1', ['Requests'], { scale: 1000 }),
    's3:get-requests': byUsage('AmazonS3', 'Requests-Tier2', ['Requests'], { scale: 1000 }),
    // One product per destination region; a few pairs are cheaper (us-east-1 <-> us-east-2): take the usual rate.
    's3:inter-region-transfer': {
      service: 'AWSDataTransfer', units: ['GB'], pick: 'mode', regionAttr: 'fromRegionCode',
      test: (p, a) => a.transferType === 'InterRegion Outbound' && /-AWS-Out-Bytes$/.test(a.usagetype ?? ''),
    },
    's3:replication-time-control': { service: 'AmazonS3', units: ['GB'], test: (p, a) => /(^|-)S3RTC-(In|Out)-Bytes$|(^|-)RTC-Bytes$/.test(a.usagetype ?? '') },
    'kms:key': byUsage('awskms', 'KMS-Keys', ['Keys', 'Month', 'Mo']),
    'backup:warm': byUsage('AWSBackup', 'WarmStorage-ByteHrs-EBS', ['GB-Mo']),
    'logs:ingestion': byUsage('AmazonCloudWatch', 'DataProcessing-Bytes', ['GB']),
    'secretsmanager:secret': byUsage('AWSSecretsManager', 'AWSSecretsManager-Secrets', ['Secrets', 'Month', 'Mo']),
    'elb:alb-hour': byUsage('AWSELB', 'LoadBalancerUsage', ['Hrs'], { family: 'Load Balancer-Application' }),
    'elb:alb-lcu': byUsage('AWSELB', 'LCUUsage', ['LCU-Hrs'], { family: 'Load Balancer-Application' }),
    'elb:nlb-hour': byUsage('AWSELB', 'LoadBalancerUsage', ['Hrs'], { family: 'Load Balancer-Network' }),
    'elb:nlb-lcu': byUsage('AWSELB', 'N?LCUUsage', ['LCU-Hrs', 'NLCU-Hrs'], { family: 'Load Balancer-Network' }),
    // Best reading of the offer files' usage types for the security services (not yet run against a real file).
    'cloudtrail:management-events-100k': byUsage('AWSCloudTrail', 'PaidEventsRecorded', ['Events'], { scale: 100000 }),
    'inspector:ecr-image-scan': { service: 'AmazonInspectorV2', units: ['Images', 'Image'], test: (p, a) => /ECR.*(Initial|Push)?Scan/i.test(a.usagetype ?? '') && !/Rescan/i.test(a.usagetype ?? '') },
    'guardduty:eks-audit-logs-1m': { service: 'AmazonGuardDuty', units: ['Events', 'Million Events'], scale: 1000000, test: (p, a) => /EKS.*Audit/i.test(a.usagetype ?? '') },
    'guardduty:runtime-vcpu-hour': { service: 'AmazonGuardDuty', units: ['vCPU-Hours', 'Hrs'], test: (p, a) => /EKS.*Runtime|Runtime.*EKS/i.test(a.usagetype ?? '') },
    'sqs:standard-requests-1m': byUsage('AWSQueueService', 'Requests-RBP', ['Requests'], { scale: 1000000 }),
  };
  return fixed[key];
}

/**
 * Streams an offer file (text chunks) and hands over, one at a time, each product (`['products', sku]`), each
 * on-demand term map (`['terms', 'OnDemand', sku]`) and the top-level scalars (`['publicationDate']`): the file is
 * never parsed whole, since the EC2 offer of a large region is bigger than a JavaScript string can be.
 */
function offerScanner(onValue) {
  const stack = []; // one frame per open object/array: { obj, key, expectKey }
  let inStr = false;
  let esc = false;
  let strParts = null;
  let strStart = 0;
  let capParts = null;
  let capStart = 0;
  let capDepth = -1;
  let capPath = null;
  const wanted = (p) => (p.length === 2 && p[0] === 'products') || (p.length === 3 && p[0] === 'terms' && p[1] === 'OnDemand');
  const onString = (s) => {
    const f = stack[stack.length - 1];
    if (f && f.obj && f.expectKey) {
      f.key = s;
    } else if (stack.length === 1) {
      onValue([f.key], s);
    }
  };
  return {
    write(chunk) {
      capStart = 0;
      strStart = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (inStr) {
          if (esc) {
            esc = false;
          } else if (c === 92) {
            esc = true;
          } else if (c === 34) {
            inStr = false;
            if (strParts) {
              strParts.push(chunk.slice(strStart, i));
              const s = JSON.parse(`"${strParts.join('')}"`);
              strParts = null;
              onString(s);
            }
          }
          continue;
        }
        if (c === 34) {
          inStr = true;
          const f = stack[stack.length - 1];
          if (!capParts && f && ((f.obj && f.expectKey) || stack.length === 1)) {
            strParts = [];
            strStart = i + 1;
          }
        } else if (c === 123 || c === 91) {
          if (!capParts && c === 123) {
            const p = stack.map((f) => f.key);
            if (wanted(p)) {
              capParts = [];
              capStart = i;
              capDepth = stack.length;
              capPath = p;
            }
          }
          stack.push({ obj: c === 123, key: undefined, expectKey: c === 123 });
        } else if (c === 125 || c === 93) {
          stack.pop();
          if (capParts && stack.length === capDepth) {
            capParts.push(chunk.slice(capStart, i + 1));
            const value = JSON.parse(capParts.join(''));
            capParts = null;
            onValue(capPath, value);
          }
        } else if (!capParts && (c === 58 || c === 44)) {
          const f = stack[stack.length - 1];
          if (f && f.obj) {
            f.expectKey = c === 44;
          }
        }
      }
      if (capParts) {
        capParts.push(chunk.slice(capStart));
      }
      if (strParts) {
        strParts.push(chunk.slice(strStart));
      }
    },
  };
}

/** Reads one regional offer, keeping only the products some spec wants and their on-demand terms. */
async function readOffer(service, region, specs, opts) {
  const url = `${BASE}/${service}/current/${region}/index.json`;
  const products = new Map();
  const terms = new Map();
  const meta = {};
  const scanner = offerScanner((p, value) => {
    if (p[0] === 'products') {
      const a = value.attributes ?? {};
      if (specs.some((s) => (a[s.regionAttr ?? 'regionCode'] ?? region) === region && s.test(value, a))) {
        products.set(p[1], value);
      }
    } else if (p[0] === 'terms') {
      if (products.has(p[2])) {
        terms.set(p[2], value);
      }
    } else {
      meta[p[0]] = value;
    }
  });
  if (opts.offersDir) {
    const file = path.join(opts.offersDir, service, region, 'index.json');
    if (!fs.existsSync(file)) {
      throw new Error(`${file}: no such offer file`);
    }
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      scanner.write(chunk);
    }
  } else {
    const res = await fetch(url);
    if (!res.ok) {
      throw new Error(`${url}: HTTP ${res.status}`);
    }
    const decoder = new TextDecoder();
    for await (const bytes of res.body) {
      scanner.write(decoder.decode(bytes, { stream: true }));
    }
    scanner.write(decoder.decode());
  }
  const date = /^\d{4}-\d{2}-\d{2}/.test(meta.publicationDate ?? '') ? meta.publicationDate.slice(0, 10) : opts.today;
  return { url, date, products, terms };
}

/** The on-demand price of the spec among the products of an offer (lowest tier of the first or most common product). */
function findPrice(offer, spec, region) {
  const found = [];
  for (const [sku, product] of offer.products) {
    const a = product.attributes ?? {};
    if ((a[spec.regionAttr ?? 'regionCode'] ?? region) !== region || !spec.test(product, a)) {
      continue;
    }
    const dims = Object.values(offer.terms.get(sku) ?? {}).flatMap((t) => Object.values(t.priceDimensions ?? {}))
      .filter((d) => spec.units.includes(d.unit) && Number(d.pricePerUnit?.USD) > 0)
      .sort((x, y) => Number(x.beginRange ?? 0) - Number(y.beginRange ?? 0));
    if (dims.length > 0) {
      found.push(Number(dims[0].pricePerUnit.USD));
    }
  }
  if (found.length === 0) {
    return undefined;
  }
  let usd = found[0];
  if (spec.pick === 'mode') {
    const counts = new Map();
    found.forEach((v) => counts.set(v, (counts.get(v) ?? 0) + 1));
    usd = [...counts.entries()].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0][0];
  }
  // Price-list figures carry 10 decimals: keep the significant ones.
  return Number((usd * (spec.scale ?? 1)).toPrecision(8));
}

/** Refreshes `data` (the parsed price file) in place; returns it and the keys it could not refresh. */
async function refresh(data, opts = {}) {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const log = opts.log ?? console.log;
  data.notOffered ??= {};
  const regions = opts.regions ?? Object.keys(data.regions);
  const allKeys = new Set();
  for (const region of Object.keys(data.regions)) {
    Object.keys(data.regions[region]).forEach((k) => allKeys.add(k));
    Object.keys(data.notOffered[region] ?? {}).forEach((k) => allKeys.add(k));
  }
  const missed = [];
  for (const region of regions) {
    const entries = (data.regions[region] ??= {});
    const notOffered = (data.notOffered[region] ??= {});
    const byService = new Map();
    for (const key of [...allKeys].sort()) {
      const spec = match(key);
      if (!spec) {
        missed.push(`${key}@${region} (no Price List product known for this key)`);
        continue;
      }
      byService.set(spec.service, [...(byService.get(spec.service) ?? []), [key, spec]]);
    }
    for (const [service, keyed] of byService) {
      let offer;
      try {
        log(`reading ${service} ${region}`);
        offer = await readOffer(service, region, keyed.map(([, s]) => s), { ...opts, today });
      } catch (e) {
        keyed.forEach(([key]) => missed.push(`${key}@${region} (${e.message})`));
        continue;
      }
      const source = `${offer.url} (publication ${offer.date})`;
      for (const [key, spec] of keyed) {
        const usd = findPrice(offer, spec, region);
        if (usd !== undefined) {
          const unit = entries[key]?.unit ?? Object.values(data.regions).map((r) => r[key]?.unit).find((u) => u) ?? spec.units[0];
          entries[key] = { usd, unit, source, date: offer.date, basis: 'price-list' };
          delete notOffered[key];
        } else if (spec.ec2Type) {
          delete entries[key];
          notOffered[key] = {
            reason: `${spec.ec2Type} has no Linux on-demand product in the ${region} EC2 offer file: not offered there`,
            source, date: offer.date, basis: 'price-list',
          };
        } else {
          missed.push(`${key}@${region} (no matching on-demand product in ${offer.url})`);
        }
      }
    }
    data.regions[region] = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
    data.notOffered[region] = Object.fromEntries(Object.entries(notOffered).sort(([a], [b]) => a.localeCompare(b)));
    if (Object.keys(data.notOffered[region]).length === 0) {
      delete data.notOffered[region];
    }
  }
  return { data, missed };
}

async function main(argv) {
  const opts = { regions: undefined, offersDir: undefined };
  let out = FILE;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--offers-dir') {
      opts.offersDir = argv[++i];
    } else if (argv[i] === '--region') {
      (opts.regions ??= []).push(argv[++i]);
    } else if (argv[i] === '--out') {
      out = argv[++i];
    } else {
      throw new Error(`unknown argument ${argv[i]}; see the header of ${__filename}`);
    }
  }
  const { data, missed } = await refresh(JSON.parse(fs.readFileSync(FILE, 'utf8')), opts);
  fs.writeFileSync(out, JSON.stringify(data, null, 2) + '\n');
  console.log(`wrote ${out}; not refreshed (old entry kept, or still unpriced): ${missed.length ? `\n  ${missed.join('\n  ')}` : 'none'}`);
}

module.exports = { match, offerScanner, refresh };

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
