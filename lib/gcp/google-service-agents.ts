/**
 * Google-managed service agents the platform grants key access to. Their emails follow formulas Google
 * documents per service (`service-<project number>@<domain>`); the GA provider has no resource that returns
 * them (`google_project_service_identity` exists in google-beta only), so the GCP layer computes them from the
 * project number of `data.google_project`. A service agent exists once its API has been enabled in the project.
 */
export enum GoogleServiceAgent {
  /** GKE (`container.googleapis.com`): etcd (application-layer secrets) encryption. */
  CONTAINER = 'CONTAINER',
  /** Compute Engine (`compute.googleapis.com`): CMEK-encrypted node boot disks. */
  COMPUTE = 'COMPUTE',
  /** Cloud Storage: CMEK on buckets. */
  STORAGE = 'STORAGE',
  /** Cloud SQL: CMEK on instances and backups. */
  CLOUD_SQL = 'CLOUD_SQL',
  /** Artifact Registry: CMEK on repositories. */
  ARTIFACT_REGISTRY = 'ARTIFACT_REGISTRY',
  /** Secret Manager: CMEK on secret replicas. */
  SECRET_MANAGER = 'SECRET_MANAGER',
  /** Backup for GKE: CMEK on backups. */
  GKE_BACKUP = 'GKE_BACKUP',
  /** Pub/Sub: CMEK on topics (budget notifications). */
  PUBSUB = 'PUBSUB',
}

const DOMAINS: Record<GoogleServiceAgent, string> = {
  [GoogleServiceAgent.CONTAINER]: 'container-engine-robot.iam.gserviceaccount.com',
  [GoogleServiceAgent.COMPUTE]: 'compute-system.iam.gserviceaccount.com',
  [GoogleServiceAgent.STORAGE]: 'gs-project-accounts.iam.gserviceaccount.com',
  [GoogleServiceAgent.CLOUD_SQL]: 'gcp-sa-cloud-sql.iam.gserviceaccount.com',
  [GoogleServiceAgent.ARTIFACT_REGISTRY]: 'gcp-sa-artifactregistry.iam.gserviceaccount.com',
  [GoogleServiceAgent.SECRET_MANAGER]: 'gcp-sa-secretmanager.iam.gserviceaccount.com',
  [GoogleServiceAgent.GKE_BACKUP]: 'gcp-sa-gkebackup.iam.gserviceaccount.com',
  [GoogleServiceAgent.PUBSUB]: 'gcp-sa-pubsub.iam.gserviceaccount.com',
};

/** The email of a service agent of the project with this number (a token is fine). */
export function serviceAgentEmail(service: GoogleServiceAgent, projectNumber: string): string {
  return `service-${projectNumber}@${DOMAINS[service]}`;
}
