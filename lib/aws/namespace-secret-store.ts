import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { checkDnsLabel } from '../core/validate';
import { ExternalSecretsOperator, namespacedExternalSecret } from '../k8s/external-secrets-operator';
import { ManifestChart } from '../k8s/manifest-chart';
import type { IEksCluster } from './eks-cluster';
import { policyDocument } from './iam-policy';

/** A Secrets Manager secret copied into a Kubernetes secret of the namespace. */
export interface SyncedSecret {
  /** Name of the Kubernetes secret to write. */
  readonly secretName: string;
  /** ARN of the Secrets Manager secret (a JSON document). */
  readonly secretArn: string;
  /** ARN of the KMS key the secret is encrypted with. */
  readonly kmsKeyArn: string;
  /** JSON properties of the secret to copy, each to a key of the same name. */
  readonly properties: string[];
  /**
   * How often External Secrets re-reads the secret, as a Go duration.
   *
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/** Properties of a {@link NamespaceSecretStore}. */
export interface NamespaceSecretStoreProps {
  /** The cluster. */
  readonly cluster: IEksCluster;
  /** Namespace of the store and of the secrets it writes. */
  readonly namespace: string;
  /** Name of the SecretStore, its service account and its Helm release (unique in the namespace). */
  readonly name: string;
  /** The secrets to copy. The store's identity may read these and nothing else. */
  readonly secrets: SyncedSecret[];
  /**
   * What the store must wait for (e.g. the namespace).
   *
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A namespaced External Secrets `SecretStore` with an identity of its own: an IAM role that only a service
 * account of this namespace can assume (IAM roles for service accounts, through the cluster's OIDC provider),
 * allowed to read exactly the listed secrets. The External Secrets controller itself has no AWS permissions,
 * so a user who may create SecretStores in another namespace cannot reach these secrets; and the chart's
 * aggregation of SecretStore rights into the built-in `edit` role is off (see ExternalSecretsOperator).
 *
 * @example
 * new NamespaceSecretStore(this, 'Secrets', { cluster, namespace: 'mlflow', name: 'mlflow-db', secrets: [{
 *   secretName: 'mlflow-db', secretArn, kmsKeyArn, properties: ['username', 'password'] }] });
 */
export class NamespaceSecretStore extends Construct {
  /** The role the store's service account assumes. */
  public readonly role: IamRole;
  /** The Helm release with the service account, the store and the ExternalSecrets. */
  public readonly chart: ManifestChart;

  constructor(scope: Construct, id: string, props: NamespaceSecretStoreProps) {
    super(scope, id);
    checkDnsLabel(this, 'name', props.name, 'secret store');
    if (props.name.length > 53) {
      throw new ValidationError(this, 'name', props.name, 'is longer than 53 characters', 'Helm release names are limited to 53 characters: shorten it.');
    }
    const { cluster, namespace } = props;
    const cloud = cluster.cloud;
    const serviceAccount = props.name;
    const issuer = cluster.openIdConnectIssuer;
    this.role = new IamRole(this, 'Role', {
      provider: cloud.provider,
      namePrefix: `eso-${props.name}-`.slice(0, 38),
      description: `External Secrets store ${namespace}/${props.name}`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Federated: cluster.openIdConnectProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`, [`${issuer}:aud`]: 'sts.amazonaws.com' },
          },
        }],
      }),
    });
    const policy = new IamRolePolicy(this, 'Policy', {
      provider: cloud.provider,
      role: this.role.id,
      policy: policyDocument([
        { actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: props.secrets.map((s) => s.secretArn) },
        {
          actions: ['kms:Decrypt'],
          resources: [...new Set(props.secrets.map((s) => s.kmsKeyArn))],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${cloud.primaryRegion}.amazonaws.com` } },
        },
      ]),
    });
    const operator = ExternalSecretsOperator.of(cluster);
    this.chart = new ManifestChart(this, 'Chart', {
      cluster,
      releaseName: props.name,
      namespace,
      // The role and its policy must exist before the controller first assumes it.
      dependsOn: [operator.release.resource, this.role, policy, ...(props.dependsOn ?? [])],
      manifests: [
        {
          apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: { name: serviceAccount, namespace, annotations: { 'eks.amazonaws.com/role-arn': this.role.arn } },
          automountServiceAccountToken: false,
        },
        {
          apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: props.name, namespace },
          spec: {
            provider: {
              aws: { service: 'SecretsManager', region: cloud.primaryRegion, auth: { jwt: { serviceAccountRef: { name: serviceAccount } } } },
            },
          },
        },
        ...props.secrets.map((secret) => namespacedExternalSecret(props.name, namespace, secret.secretName, secret.properties,
          (property) => ({ key: secret.secretArn, property }), secret.refreshInterval)),
      ],
    });
  }
}
