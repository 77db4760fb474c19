import type { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import type { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import type { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { PlatformStack } from '../core/platform-stack';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent, serviceAgentEmail } from './google-service-agents';

/** Seconds in 90 days: the rotation period of every key. */
const ROTATION_PERIOD = '7776000s';
/** Seconds in 30 days: how long destroyed key versions stay restorable. */
const DESTROY_SCHEDULED_DURATION = '2592000s';

/** Properties of a {@link GcpKmsKey}. */
export interface GcpKmsKeyProps {
  /** Provider the key is created with. */
  readonly provider: GoogleProvider;
  /** ID of the key ring (`projects/<p>/locations/<region>/keyRings/<name>`) the key lives in. */
  readonly keyRingId: string;
  /** Key name, unique in the key ring: lower-case letters, digits, `-` and `_`. */
  readonly keyName: string;
  /** Region of the key ring (the CMEK must be in the region of the resource it encrypts). */
  readonly region: string;
  /** Project number, to compute service agent emails (a token is fine). */
  readonly projectNumber: string;
  /** What the key encrypts, for the report and cost lines. */
  readonly purpose: string;
  /**
   * Labels of the key.
   *
   * @default - none beyond the provider's default labels
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A regional Cloud KMS customer-managed encryption key (CMEK), symmetric ENCRYPT_DECRYPT, rotated every 90
 * days, with `lifecycle.prevent_destroy`. Cloud KMS never deletes a key or key ring; destroying the Terraform
 * resource would schedule every version for destruction (after 30 days), making the backups and DR copies it
 * encrypts unreadable, so Terraform refuses to: to tear a stack down, `terraform state rm` the keys and key rings
 * first (they stay in the project, and their names cannot be reused).
 *
 * Normally obtained from {@link GcpCloud.key}, which creates one key ring per region and one key per purpose
 * and region.
 *
 * @example
 * const key = cloud.key('data', GcpRegionRole.PRIMARY);
 * const grant = key.grantToServiceAgent(GoogleServiceAgent.STORAGE);
 * // new StorageBucket(..., { encryption: { defaultKmsKeyName: key.keyId }, dependsOn: [grant] })
 */
export class GcpKmsKey extends Construct {
  /** The crypto key resource. */
  public readonly resource: KmsCryptoKey;
  /** Crypto key ID (`projects/<p>/locations/<region>/keyRings/<ring>/cryptoKeys/<name>`): what CMEK fields take. */
  public readonly keyId: string;
  /** Region of the key. */
  public readonly region: string;
  private readonly props: GcpKmsKeyProps;
  private readonly grants = new Map<string, KmsCryptoKeyIamMember>();

  constructor(scope: Construct, id: string, props: GcpKmsKeyProps) {
    super(scope, id);
    this.props = props;
    this.region = props.region;
    const { KmsCryptoKey: KmsCryptoKeyResource } = loadGoogle<typeof import('@cdktf/provider-google/lib/kms-crypto-key')>('kms-crypto-key');
    this.resource = new KmsCryptoKeyResource(this, 'Resource', {
      provider: props.provider,
      name: props.keyName,
      keyRing: props.keyRingId,
      purpose: 'ENCRYPT_DECRYPT',
      rotationPeriod: ROTATION_PERIOD,
      destroyScheduledDuration: DESTROY_SCHEDULED_DURATION,
      versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'SOFTWARE' },
      labels: props.labels,
      // Destroying a key's versions makes every backup and replica it encrypts unreadable: Terraform refuses to.
      lifecycle: { preventDestroy: true },
    });
    this.keyId = this.resource.id;
    const stack = PlatformStack.ofConstruct(this);
    stack.addCostLine({
      component: this.node.path, resource: `Cloud KMS key (${props.purpose})`,
      region: Token.isUnresolved(props.region) ? stack.primaryRegion : props.region,
      unit: CostUnit.MONTH, baselineQuantity: 1, fullScaleQuantity: 4, priceKey: 'kms:key-version',
      assumption: 'one active software key version, rotated every 90 days: older versions stay billable until destroyed '
        + '(about 4 versions a year at full scale); operations ($0.03 per 10,000) are not counted',
    });
  }

  /**
   * Lets a service account encrypt and decrypt with the key (`roles/cloudkms.cryptoKeyEncrypterDecrypter`).
   * Returns the IAM member: resources that use the key must depend on it, since the service checks the key
   * when the resource is created. Granting the same email twice returns the first grant.
   *
   * @param memberEmail service account email (a token is fine)
   * @param grantId construct id of the grant; defaults to one derived from the email, and must be set when the
   *   email is a token
   */
  public grantEncryptDecrypt(memberEmail: string, grantId?: string): ITerraformDependable {
    const id = grantId ?? (Token.isUnresolved(memberEmail) ? undefined : `Grant-${memberEmail.replace(/[^A-Za-z0-9-]/g, '-')}`);
    if (id === undefined) {
      throw new Error(`${this.node.path}: grantEncryptDecrypt needs a grantId when the member email is a token`);
    }
    let grant = this.grants.get(id);
    if (!grant) {
      const { KmsCryptoKeyIamMember: Member } = loadGoogle<typeof import('@cdktf/provider-google/lib/kms-crypto-key-iam-member')>('kms-crypto-key-iam-member');
      grant = new Member(this, id, {
        provider: this.props.provider,
        cryptoKeyId: this.keyId,
        role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
        member: `serviceAccount:${memberEmail}`,
      });
      this.grants.set(id, grant);
    }
    return grant;
  }

  /**
   * Lets a Google service agent (GKE, Cloud Storage, Cloud SQL...) use the key for the CMEK of the resources it
   * manages. Returns the grant to depend on; one grant per service.
   */
  public grantToServiceAgent(service: GoogleServiceAgent): ITerraformDependable {
    return this.grantEncryptDecrypt(serviceAgentEmail(service, this.props.projectNumber), `Agent${pascal(service)}`);
  }
}

function pascal(value: string): string {
  return value.toLowerCase().split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
