/** Azure services the platform reaches through private endpoints, with their sub-resource and private DNS zone. */
export enum AzurePrivateLinkService {
  /** Blob service of a storage account (`blob`, zone `privatelink.blob.core.windows.net`). */
  BLOB = 'BLOB',
  /** Azure Container Registry (`registry`, zone `privatelink.azurecr.io`). */
  CONTAINER_REGISTRY = 'CONTAINER_REGISTRY',
  /** Key Vault (`vault`, zone `privatelink.vaultcore.azure.net`). */
  KEY_VAULT = 'KEY_VAULT',
}

/** Sub-resource (group ID) and private DNS zone of each private link service. */
export const PRIVATE_LINK_DETAILS: { [service: string]: { readonly subresource: string; readonly zone: string } } = {
  [AzurePrivateLinkService.BLOB]: { subresource: 'blob', zone: 'privatelink.blob.core.windows.net' },
  [AzurePrivateLinkService.CONTAINER_REGISTRY]: { subresource: 'registry', zone: 'privatelink.azurecr.io' },
  [AzurePrivateLinkService.KEY_VAULT]: { subresource: 'vault', zone: 'privatelink.vaultcore.azure.net' },
};

/** The private DNS zone PostgreSQL flexible servers with private access (a delegated subnet) register in. */
export const POSTGRES_PRIVATE_DNS_ZONE = 'privatelink.postgres.database.azure.com';
