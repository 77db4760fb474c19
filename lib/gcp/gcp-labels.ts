import { Aspects, IAspect, TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The cost allocation as Google Cloud labels: label values allow only lower-case letters, digits, `_` and `-`
 * (the cost allocation also allows upper case and `.`), so values are lower-cased and dots become `_`.
 */
export function gcpLabels(tags: { [key: string]: string }): { [key: string]: string } {
  const labels: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(tags)) {
    labels[key.toLowerCase()] = String(value).toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
  }
  return labels;
}

/**
 * Where the google provider's `default_labels` do not reach, and the field this Aspect writes the cost labels
 * into: Cloud SQL instances (`settings.user_labels`) and GKE node pools (`node_config.resource_labels` for the
 * VMs and disks, `node_config.labels` for the Kubernetes nodes, so OpenCost allocates by them). Together with
 * `default_labels` this is the one mechanism that labels every resource; labels a construct sets itself win.
 *
 * @example
 * GcpLabelsAspect.applyTo(stack, { 'cost-center': 'cc-4512' });
 */
export class GcpLabelsAspect implements IAspect {
  /** Adds the aspect to a scope once (a second call on the same scope is ignored). */
  public static applyTo(scope: IConstruct, labels: { [key: string]: string }): GcpLabelsAspect {
    const existing = Aspects.of(scope).all.find((a) => a instanceof GcpLabelsAspect) as GcpLabelsAspect | undefined;
    if (existing) {
      return existing;
    }
    const aspect = new GcpLabelsAspect(labels);
    Aspects.of(scope).add(aspect);
    return aspect;
  }

  /** Resource types and the label maps the aspect fills. */
  public static readonly LABEL_FIELDS: { [type: string]: string[] } = {
    google_sql_database_instance: ['settings.user_labels'],
    google_container_node_pool: ['node_config.resource_labels', 'node_config.labels'],
  };

  /** The labels. */
  public readonly labels: { [key: string]: string };

  constructor(labels: { [key: string]: string }) {
    this.labels = { ...labels };
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) {
      return;
    }
    const fields = GcpLabelsAspect.LABEL_FIELDS[node.terraformResourceType];
    if (!fields) {
      return;
    }
    const config = node.toTerraform()?.resource?.[node.terraformResourceType]?.[node.friendlyUniqueId] ?? {};
    for (const field of fields) {
      const current = field.split('.').reduce((value: any, part) => (Array.isArray(value) ? value[0] : value)?.[part], config) ?? {};
      for (const [key, value] of Object.entries(this.labels)) {
        if (typeof current !== 'object' || !(key in current)) {
          node.addOverride(`${field}.${key}`, value);
        }
      }
    }
  }
}
