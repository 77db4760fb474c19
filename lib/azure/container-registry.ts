import type { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { ITerraformDependable } from 'cdktf';
import * as crypto from 'crypto';
import { Construct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { ContainerRepositoryOptions, IContainerRepository, IWorkloadIdentity } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkInteger, claimUnique, isUnresolved } from '../core/validate';
import type { AzureCloud } from './azure-cloud';
import { AzureKeyPurpose, AzureRegionRole } from './azure-cloud';
import { AzurePrivateLinkService } from './azure-private-link';
import { loadAzurerm } from './azurerm-bindings';
import { addPrerequisite } from './blob-storage';

/** Properties of an {@link AzureContainerRegistry}. */
export interface AzureContainerRegistryProps extends ContainerRepositoryOptions {
  /** The cloud. */
  readonly cloud: AzureCloud;
  /**
   * Registry name: 5-50 letters and digits, globally unique (it becomes `<name>.azurecr.io`).
   *
   * @default - derived from the name prefix and a hash of the subscription and construct path
   */
  readonly registryName?: string;
  /**
   * Geo-replicate the registry to the DR region (see the class documentation for how).
   *
   * @default true
   */
  readonly geoReplication?: boolean;
}

const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * An Azure Container Registry (Premium) for serving images: admin user and anonymous pull off, public network access
 * off with a private endpoint in the platform network, dedicated data endpoints, zone redundancy where the region
 * has zones, encrypted with the platform's CMK through a user-assigned identity, untagged manifests purged after
 * `untaggedImageExpiryDays` (retention policy), export off, a `CanNotDelete` management lock. `repositoryName`
 * names the repository inside the registry that the platform's images go to.
 *
 * Geo-replication to the DR region: the azurerm 4.x and 5.x schemas of the inline `georeplications` block cannot
 * both be satisfied (5.0 made `global_endpoint_routing_enabled` required, which 4.x rejects), so the replica is
 * created by an operator step after the deploy (`az acr replication create`), and Terraform ignores the
 * `georeplications` it then sees. The report lists the step.
 *
 * Tags are not immutable: ACR has no registry-wide tag immutability and azurerm no argument for the per-repository
 * lock. The library records the operator step that write-locks released tags
 * (`az acr repository update --write-enabled false` per image tag), and `grantPush` gives pushers `AcrPush`,
 * which cannot change write-locked tags (only `Owner`/`Contributor` can unlock). Images are build outputs: they are
 * not registered as data stores.
 *
 * @example
 * const registry = cloud.newContainerRepository(this, 'Images', { repositoryName: 'fraud/serving' });
 * registry.grantPull(identity);
 */
export class AzureContainerRegistry extends Construct implements IContainerRepository {
  /** The registry. */
  public readonly resource: ContainerRegistry;
  /** The identity the registry unwraps its CMK with. */
  public readonly encryptionIdentity: UserAssignedIdentity;
  /** Name of the repository inside the registry. */
  public readonly repositoryName: string;
  /** `<registry>.azurecr.io/<repository>`: image names go below it. */
  public readonly repositoryUrl: string;
  /** Login server, `<registry>.azurecr.io`. */
  public readonly loginServer: string;
  /** Name of the registry. */
  public readonly registryName: string;
  /** What pushers and pullers must wait for: the private endpoint. */
  public readonly prerequisites: ITerraformDependable[] = [];
  private readonly cloud: AzureCloud;
  private readonly grants = new Set<string>();

  constructor(scope: Construct, id: string, props: AzureContainerRegistryProps) {
    super(scope, id);
    const cloud = this.cloud = props.cloud;
    if (!isUnresolved(props.repositoryName) && (typeof props.repositoryName !== 'string' || !REPOSITORY_NAME.test(props.repositoryName))) {
      throw new ValidationError(this, 'repositoryName', props.repositoryName,
        'is not a valid repository name: 2-256 lower-case letters, digits, and "/", ".", "_" or "-" between them',
        'Use a name such as "fraud-models/serving".');
    }
    if (props.registryName !== undefined && !isUnresolved(props.registryName) && !/^[A-Za-z0-9]{5,50}$/.test(props.registryName)) {
      throw new ValidationError(this, 'registryName', props.registryName, 'must be 5-50 letters and digits', 'Use a name such as "fraudprodimages".');
    }
    const untaggedDays = props.untaggedImageExpiryDays ?? 14;
    checkInteger(this, 'untaggedImageExpiryDays', untaggedDays, 0, 365);
    checkInteger(this, 'maxImageCount', props.maxImageCount, 1, 10000);
    const name = props.registryName ?? generatedRegistryName(cloud, this.node.path);
    // One registry per stack and name; registry names are global.
    claimUnique(this, 'registryName', name.toLowerCase(), 'container registry', name.toLowerCase(),
      'Give each registry its own registryName, or leave it unset to let the library derive one.');
    const provider = cloud.provider;
    const resourceGroupName = cloud.resourceGroupName(AzureRegionRole.PRIMARY);
    const { UserAssignedIdentity: Identity } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/user-assigned-identity')>('user-assigned-identity');
    this.encryptionIdentity = new Identity(this, 'EncryptionIdentity', {
      provider, name: `id-${name.toLowerCase()}-cmk`, location: cloud.primaryRegion, resourceGroupName,
    });
    const key = cloud.key(AzureKeyPurpose.DATA, AzureRegionRole.PRIMARY);
    const keyGrant = key.grantEncryptDecrypt(this.encryptionIdentity.principalId, `Registry${this.node.addr.slice(0, 10)}`);
    const zones = cloud.hasZones(AzureRegionRole.PRIMARY);
    const replicate = props.geoReplication ?? true;

    const { ContainerRegistry: Registry } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/container-registry')>('container-registry');
    this.resource = new Registry(this, 'Resource', {
      provider,
      name,
      location: cloud.primaryRegion,
      resourceGroupName,
      sku: 'Premium',
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: false,
      exportPolicyEnabled: false,
      dataEndpointEnabled: true,
      zoneRedundancyEnabled: zones,
      networkRuleBypassOption: 'AzureServices',
      retentionPolicyInDays: untaggedDays,
      identity: { type: 'UserAssigned', identityIds: [this.encryptionIdentity.id] },
      encryption: [{ keyVaultKeyId: key.versionlessId, identityClientId: this.encryptionIdentity.clientId }],
      // The replica is created by the operator step below (see the class documentation).
      lifecycle: replicate ? { ignoreChanges: ['georeplications'] } : undefined,
      dependsOn: [keyGrant],
    });
    this.registryName = this.resource.name;
    this.loginServer = this.resource.loginServer;
    this.repositoryName = props.repositoryName;
    this.repositoryUrl = `${this.loginServer}/${this.repositoryName}`;
    this.prerequisites.push(cloud.network.addPrivateEndpoint(this, 'PrivateEndpoint', {
      resourceId: this.resource.id, service: AzurePrivateLinkService.CONTAINER_REGISTRY, endpointName: `pe-${name.toLowerCase()}`,
    }));
    cloud.lockAgainstDeletion(this, 'DeleteLock', this.resource.id, 'Holds the serving images of the platform.');
    PolicySuppressions.add(this.resource, [
      {
        id: 'CKV_AZURE_164',
        reason: 'Docker Content Trust (trust_policy_enabled) is retired by Azure and removed in azurerm 5.0; sign images with Notation and ' +
          'verify them at admission instead.',
      },
      {
        id: 'CKV_AZURE_166',
        reason: 'Quarantine holds every pushed image until a scanner marks it verified; the platform wires no such scanner (Defender for ' +
          'Containers scans without quarantine), so quarantined images would never become pullable.',
      },
      {
        id: 'CKV_AZURE_165',
        reason: replicate
          ? `The registry is Premium and replicated to ${cloud.drRegion} by an operator step (az acr replication create): the inline ` +
            'georeplications block has no form valid in both azurerm 4.x and 5.x.'
          : `geoReplication: false was set: the registry has no copy in ${cloud.drRegion}; images must be rebuilt or pushed there after a disaster.`,
      },
      ...(zones ? [] : [{
        id: 'CKV_AZURE_233',
        reason: `${cloud.primaryRegion} has no availability zones, so the registry cannot be zone-redundant.`,
      }]),
    ]);
    const stack = cloud.stack;
    const regions = [cloud.primaryRegion, ...(replicate ? [cloud.drRegion] : [])];
    for (const region of regions) {
      stack.addCostLine({
        component: this.node.path, resource: `Container Registry Premium${region === cloud.drRegion ? ' replica' : ''} (${name})`, region,
        unit: CostUnit.HOUR, baselineQuantity: HOURS_PER_MONTH, fullScaleQuantity: HOURS_PER_MONTH, priceKey: 'acr:premium-hour',
        assumption: `one Premium registry${region === cloud.drRegion ? ' replica' : ''} (500 GiB included), billed per day; extra storage not counted`,
      });
    }
    if (replicate) {
      stack.addDeploymentStep({
        phase: DeploymentPhase.AFTER_DEPLOY,
        title: `Replicate the container registry to ${cloud.drRegion}`,
        detail: 'Premium registries replicate every image to their replicas. azurerm 4.x and 5.x disagree on the inline georeplications block, ' +
          'so the stack leaves the replica to this step and ignores it afterwards. Pushes go to the registry; pulls in either region are served locally.',
        command: `az acr replication create --registry ${name} --location ${cloud.drRegion}${cloud.hasZones(AzureRegionRole.DR) ? ' --zone-redundancy Enabled' : ''}`,
      });
    }
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: `Write-lock released image tags in ${name}`,
      detail: 'ACR has no registry-wide tag immutability and azurerm no argument for it: lock each released tag (or the whole repository) so a ' +
        'push cannot overwrite it; AcrPush, the pushers\' role, cannot unlock.',
      command: `az acr repository update --name ${name} --image ${this.repositoryName}:<tag> --write-enabled false --delete-enabled false`,
    });
  }

  /** Lets the identity pull images: `AcrPull` on the registry. */
  public grantPull(identity: IWorkloadIdentity): void {
    this.grant(identity, 'AcrPull', 'Pull');
  }

  /** Lets the identity push and pull images: `AcrPush` on the registry (it cannot change write-locked tags). */
  public grantPush(identity: IWorkloadIdentity): void {
    this.grant(identity, 'AcrPush', 'Push');
  }

  private grant(identity: IWorkloadIdentity, role: string, what: string): void {
    const principal = identity?.principalId;
    if (typeof principal !== 'string' || principal === '') {
      throw new ValidationError(this, 'identity', identity?.node?.path ?? identity, 'has no Entra principal (principalId)',
        'Pass a workload identity of an AKS cluster (AksCluster.newWorkloadIdentity).');
    }
    const id = `${what}-${identity.node.addr.slice(0, 12)}`;
    if (this.grants.has(id)) {
      return;
    }
    this.grants.add(id);
    const { RoleAssignment: Assignment } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/role-assignment')>('role-assignment');
    const assignment = new Assignment(this, id, {
      provider: this.cloud.provider, scope: this.resource.id, roleDefinitionName: role, principalId: principal, principalType: 'ServicePrincipal',
    });
    addPrerequisite(identity, assignment);
  }
}

/** A deterministic, globally unique-enough registry name (letters and digits, 50 at most). */
function generatedRegistryName(cloud: AzureCloud, path: string): string {
  const subscription = isUnresolved(cloud.subscriptionId) ? '' : cloud.subscriptionId;
  const hash = crypto.createHash('sha256').update(`${subscription}/${path}`).digest('hex').slice(0, 8);
  const stem = `cr${cloud.namePrefix}`.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${stem.slice(0, 50 - hash.length)}${hash}`;
}
