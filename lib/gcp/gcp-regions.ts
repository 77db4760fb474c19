import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { isUnresolved } from '../core/validate';

/**
 * Google Cloud regions (Compute Engine, GKE, Cloud SQL, Cloud KMS, Artifact Registry and Backup for GKE are
 * offered in each), as listed on https://cloud.google.com/about/locations on 2026-11-26.
 */
export const GCP_REGIONS: ReadonlyArray<string> = Object.freeze([
  'africa-south1',
  'asia-east1', 'asia-east2', 'asia-northeast1', 'asia-northeast2', 'asia-northeast3', 'asia-south1', 'asia-south2',
  'asia-southeast1', 'asia-southeast2',
  'australia-southeast1', 'australia-southeast2',
  'europe-central2', 'europe-north1', 'europe-north2', 'europe-southwest1', 'europe-west1', 'europe-west2', 'europe-west3',
  'europe-west4', 'europe-west6', 'europe-west8', 'europe-west9', 'europe-west10', 'europe-west12',
  'me-central1', 'me-central2', 'me-west1',
  'northamerica-northeast1', 'northamerica-northeast2', 'northamerica-south1',
  'southamerica-east1', 'southamerica-west1',
  'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-south1', 'us-west1', 'us-west2', 'us-west3', 'us-west4',
]);

/** Throws unless the value is a Google Cloud region, naming the closest ones. */
export function checkGcpRegion(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  if (!GCP_REGIONS.includes(value)) {
    const prefix = typeof value === 'string' ? value.split('-')[0] : '';
    const near = GCP_REGIONS.filter((r) => r.startsWith(`${prefix}-`));
    throw new ValidationError(scope, prop, value, 'is not a Google Cloud region',
      `Use one of ${(near.length > 0 ? near : GCP_REGIONS).join(', ')}.`);
  }
}
