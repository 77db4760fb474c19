import { GcpNetwork } from '../../lib/gcp/gcp-network';
import { expectValidationError, resourceAt, synthStack } from '../helpers';
import { newGcpCloud } from './gcp-test-helpers';

describe('GcpNetwork', () => {
  test('creates a custom-mode VPC, a subnet with pod and service ranges, Private Google Access and flow logs', () => {
    const { stack, cloud } = newGcpCloud();
    new GcpNetwork(stack, 'Network', { cloud });
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'google_compute_network', 'Network/Resource')).toMatchObject({ auto_create_subnetworks: false, name: 'fraud-prod-vpc' });
    const subnet = resourceAt(json, 'google_compute_subnetwork', 'Network/Subnet');
    expect(subnet).toMatchObject({
      region: 'us-central1', ip_cidr_range: '10.40.0.0/20', private_ip_google_access: true,
      secondary_ip_range: [{ range_name: 'pods', ip_cidr_range: '10.64.0.0/14' }, { range_name: 'services', ip_cidr_range: '10.40.16.0/20' }],
      log_config: { aggregation_interval: 'INTERVAL_5_SEC', flow_sampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
    });
  });

  test('denies all other ingress explicitly, logged', () => {
    const { stack, cloud } = newGcpCloud();
    new GcpNetwork(stack, 'Network', { cloud });
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'google_compute_firewall', 'Network/DenyAllIngress')).toMatchObject({
      direction: 'INGRESS', priority: 65534, source_ranges: ['0.0.0.0/0'], deny: [{ protocol: 'all' }], log_config: { metadata: 'INCLUDE_ALL_METADATA' },
    });
  });

  test('routes private nodes out through Cloud NAT with logging', () => {
    const { stack, cloud } = newGcpCloud();
    new GcpNetwork(stack, 'Network', { cloud });
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'google_compute_router_nat', 'Network/Nat')).toMatchObject({
      nat_ip_allocate_option: 'AUTO_ONLY', source_subnetwork_ip_ranges_to_nat: 'LIST_OF_SUBNETWORKS',
      subnetwork: [{ source_ip_ranges_to_nat: ['ALL_IP_RANGES'] }], log_config: { enable: true, filter: 'ERRORS_ONLY' },
    });
  });

  test('reserves private services access for Cloud SQL, abandoned rather than deleted on destroy', () => {
    const { stack, cloud } = newGcpCloud();
    new GcpNetwork(stack, 'Network', { cloud, privateServicesPrefixLength: 20 });
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'google_compute_global_address', 'Network/PrivateServiceRange')).toMatchObject({
      purpose: 'VPC_PEERING', address_type: 'INTERNAL', prefix_length: 20,
    });
    expect(resourceAt(json, 'google_service_networking_connection', 'Network/PrivateServiceConnection')).toMatchObject({
      service: 'servicenetworking.googleapis.com', deletion_policy: 'ABANDON',
    });
  });

  test('prices Cloud NAT', () => {
    const { stack, cloud } = newGcpCloud();
    new GcpNetwork(stack, 'Network', { cloud });
    const { report } = synthStack(stack);
    expect(report.costEstimate.components.find((c: any) => c.path === 'gcp/Network').baselineUsd).toBeGreaterThan(0);
  });

  test('validates its ranges', () => {
    const { stack, cloud } = newGcpCloud();
    expectValidationError(() => new GcpNetwork(stack, 'A', { cloud, nodesCidr: '10.40.0.1/20' }), 'gcp/A', 'nodesCidr', /has host bits set/);
    expectValidationError(() => new GcpNetwork(stack, 'B', { cloud, podsCidr: '10.64.0.0/26' }), 'gcp/B', 'podsCidr', /prefix from \/8 to \/24/);
    expectValidationError(() => new GcpNetwork(stack, 'C', { cloud, servicesCidr: 'x' }), 'gcp/C', 'servicesCidr', /IPv4 CIDR block/);
    expectValidationError(() => new GcpNetwork(stack, 'D', { cloud, privateServicesPrefixLength: 28 }), 'gcp/D', 'privateServicesPrefixLength',
      /must be a whole number from 8 to 24/);
    expectValidationError(() => new GcpNetwork(stack, 'E', undefined as any), 'gcp/E', 'props', /./);
  });
});
