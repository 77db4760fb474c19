import { Aspects, IAspect, TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The one mechanism that tags every Azure resource: azurerm has no provider-level default tags, so this Aspect
 * visits every `azurerm_*` resource whose schema has `tags` and adds the cost allocation tags (tags a construct
 * sets itself win). It also writes them where Azure keeps them apart: the system node pool of an AKS cluster
 * (`default_node_pool.tags`) and, as Kubernetes node labels, on every node pool (`node_labels`,
 * `default_node_pool.node_labels`), so OpenCost allocates pods' node costs by them.
 *
 * @example
 * AzureTagsAspect.applyTo(stack, { 'cost-center': 'cc-4512', team: 'ml-platform' });
 */
export class AzureTagsAspect implements IAspect {
  /** Adds the aspect to a scope once (a second call on the same scope returns the first aspect). */
  public static applyTo(scope: IConstruct, tags: { [key: string]: string }): AzureTagsAspect {
    const existing = Aspects.of(scope).all.find((a) => a instanceof AzureTagsAspect) as AzureTagsAspect | undefined;
    if (existing) {
      return existing;
    }
    const aspect = new AzureTagsAspect(tags);
    Aspects.of(scope).add(aspect);
    return aspect;
  }

  /** Nested maps the aspect fills besides the top-level `tags`, per resource type. */
  public static readonly EXTRA_FIELDS: { [type: string]: string[] } = {
    azurerm_kubernetes_cluster: ['default_node_pool.tags', 'default_node_pool.node_labels'],
    azurerm_kubernetes_cluster_node_pool: ['node_labels'],
  };

  /** The tags. */
  public readonly tags: { [key: string]: string };

  constructor(tags: { [key: string]: string }) {
    this.tags = { ...tags };
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !node.terraformResourceType.startsWith('azurerm_')) {
      return;
    }
    const fields = [...AzureTagsAspect.EXTRA_FIELDS[node.terraformResourceType] ?? []];
    // A binding has a `tagsInput` accessor exactly when the resource's schema has a top-level `tags` map.
    if ('tagsInput' in node) {
      fields.unshift('tags');
    }
    if (fields.length === 0) {
      return;
    }
    const config = node.toTerraform()?.resource?.[node.terraformResourceType]?.[node.friendlyUniqueId] ?? {};
    for (const field of fields) {
      const current = field.split('.').reduce((value: any, part) => (Array.isArray(value) ? value[0] : value)?.[part], config) ?? {};
      if (typeof current !== 'object') {
        continue; // a token map: the construct chose its tags
      }
      for (const [key, value] of Object.entries(this.tags)) {
        if (!(key in current)) {
          node.addOverride(`${field}.${key}`, value);
        }
      }
    }
  }
}
