/* VPC rules: subnet flow logs and Private Google Access, firewall ingress from anywhere, and key protection. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { asList, firstBlock, isTrue, isUnknown, rule, shown } from '../../aws/policy/rule';

const SUBNET = ['google_compute_subnetwork'];

/** Subnet purposes checkov does not judge (proxy-only and similar subnets have no VMs). */
const PURPOSE_EXCEPTIONS = ['INTERNAL_HTTPS_LOAD_BALANCER', 'REGIONAL_MANAGED_PROXY', 'GLOBAL_MANAGED_PROXY', 'PRIVATE_SERVICE_CONNECT', 'PRIVATE_NAT'];

function exempt(config: { [key: string]: any }): boolean {
  return PURPOSE_EXCEPTIONS.includes(config.purpose);
}

/** True when an allow rule's port list (or ranges) opens `port`. */
function opens(allow: any, port: number): boolean {
  if (!['tcp', 'all'].includes(String(allow?.protocol))) {
    return false;
  }
  const ports = asList(allow?.ports);
  if (ports.length === 0) {
    return true;
  }
  return ports.some((p: any) => {
    const [from, to] = String(p).split('-').map(Number);
    return port >= from && port <= (to ?? from);
  });
}

/** A rule that no ingress firewall opens a port to 0.0.0.0/0. */
function noOpenIngress(id: string, port: number, what: string): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, `Firewall rules must not open ${what} (port ${port}) to 0.0.0.0/0.`, ['google_compute_firewall'],
    (firewall) => {
      const ingress = firewall.config.direction === undefined || firewall.config.direction === 'INGRESS';
      const anywhere = asList(firewall.config.source_ranges).some((r: any) => r === '0.0.0.0/0' || r === '::/0');
      return ingress && anywhere && asList(firewall.config.allow).some((a: any) => opens(a, port)) ? `port ${port} is open to the internet` : undefined;
    });
}

export const NETWORK_RULES: IPolicyRule[] = [
  rule('CKV_GCP_26', PolicyLevel.ERROR, 'Subnets must have VPC flow logs (log_config).', SUBNET,
    (subnet) => exempt(subnet.config) || firstBlock(subnet.config, 'log_config') ? undefined : 'log_config is not set'),
  rule('CKV_GCP_74', PolicyLevel.ERROR, 'Subnets must enable Private Google Access.', SUBNET,
    (subnet) => exempt(subnet.config) || isTrue(subnet.config.private_ip_google_access) || isUnknown(subnet.config.private_ip_google_access)
      ? undefined : `private_ip_google_access is ${shown(subnet.config.private_ip_google_access)}`),
  noOpenIngress('CKV_GCP_2', 22, 'SSH'),
  noOpenIngress('CKV_GCP_3', 3389, 'RDP'),
  noOpenIngress('CKV_GCP_75', 21, 'FTP'),
  noOpenIngress('CKV_GCP_77', 20, 'FTP data'),
  noOpenIngress('CKV_GCP_88', 3306, 'MySQL'),
  noOpenIngress('CKV_GCP_106', 80, 'HTTP'),
  rule('CKV_GCP_82', PolicyLevel.WARNING,
    'Cloud KMS keys should set lifecycle.prevent_destroy. A warning only: it also blocks `terraform destroy` of the whole stack, and Google never deletes ' +
    'a key anyway (destroy schedules its versions for destruction after the scheduled-destruction period, restorable until then).',
    ['google_kms_crypto_key'], (key) => isTrue(firstBlock(key.config, 'lifecycle')?.prevent_destroy) ? undefined : 'lifecycle.prevent_destroy is not true'),
];
