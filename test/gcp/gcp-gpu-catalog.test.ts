import { GpuModel } from '../../lib/core/gpu-catalog';
import { GcpGpuCatalog } from '../../lib/gcp/gcp-gpu-catalog';
import { GcpPriceCatalog } from '../../lib/gcp/gcp-price-catalog';
import { AwsGpuCatalog, GpuInstanceCatalog } from '../../lib/aws/gpu-instance-catalog';

describe('GcpGpuCatalog', () => {
  const catalog = GcpGpuCatalog.INSTANCE;

  test.each([
    ['n1-standard-8+1xt4', 'n1-standard-8', 'nvidia-tesla-t4', GpuModel.NVIDIA_T4, 1, 16],
    ['n1-standard-32+4xv100', 'n1-standard-32', 'nvidia-tesla-v100', GpuModel.NVIDIA_V100, 4, 16],
    ['g2-standard-8', 'g2-standard-8', 'nvidia-l4', GpuModel.NVIDIA_L4, 1, 24],
    ['a2-highgpu-8g', 'a2-highgpu-8g', 'nvidia-tesla-a100', GpuModel.NVIDIA_A100, 8, 40],
    ['a2-ultragpu-1g', 'a2-ultragpu-1g', 'nvidia-a100-80gb', GpuModel.NVIDIA_A100, 1, 80],
    ['a3-highgpu-1g', 'a3-highgpu-1g', 'nvidia-h100-80gb', GpuModel.NVIDIA_H100, 1, 80],
    ['a3-megagpu-8g', 'a3-megagpu-8g', 'nvidia-h100-mega-80gb', GpuModel.NVIDIA_H100, 8, 80],
    ['a3-ultragpu-8g', 'a3-ultragpu-8g', 'nvidia-h200-141gb', GpuModel.NVIDIA_H200, 8, 141],
    ['a4-highgpu-8g', 'a4-highgpu-8g', 'nvidia-b200', GpuModel.NVIDIA_B200, 8, 179],
  ])('%s: %s with %s', (type, machine, accelerator, model, count, memory) => {
    const spec = GcpGpuCatalog.lookupGcp(type)!;
    expect(spec).toMatchObject({ machineType: machine, acceleratorType: accelerator, gpuModel: model, gpuCount: count, gpuMemoryGiB: memory });
    expect(catalog.lookup(type.toUpperCase())).toBe(spec);
  });

  test('MIG on A100, H100 and H200 only, with the partition sizes GKE accepts', () => {
    expect(catalog.all().filter((s) => s.migCapable).map((s) => s.gpuModel).filter((m, i, a) => a.indexOf(m) === i).sort())
      .toEqual([GpuModel.NVIDIA_A100, GpuModel.NVIDIA_H100, GpuModel.NVIDIA_H200]);
    expect(GcpGpuCatalog.lookupGcp('a2-highgpu-1g')!.migPartitionSizes).toEqual(['1g.5gb', '2g.10gb', '3g.20gb', '7g.40gb']);
  });

  test('is priced per machine in us-central1, with no on-demand price for reservation-only machines', () => {
    const prices = GcpPriceCatalog.load();
    expect(prices.price('gce:g2-standard-8', 'us-central1')).toMatchObject({ usd: 0.8536, unit: 'hour', basis: 'memory', date: GcpGpuCatalog.PRICE_DATE });
    expect(prices.price('gce:a4-highgpu-8g', 'us-central1')).toBeUndefined();
    expect(prices.price('gce:a3-highgpu-8g', 'us-east1')).toBeUndefined();
    expect(prices.price('gce:g2-standard-8', 'europe-west4')).toBeUndefined();
    expect(catalog.priceKey(GcpGpuCatalog.lookupGcp('g2-standard-8')!)).toBe('gce:g2-standard-8');
  });

  test('the AWS catalog keeps its exports and implements the same interface', () => {
    expect(AwsGpuCatalog.INSTANCE.lookup('g6.xlarge')).toBe(GpuInstanceCatalog.lookup('g6.xlarge'));
    expect(AwsGpuCatalog.INSTANCE.priceKey(GpuInstanceCatalog.lookup('g6.xlarge')!)).toBe('ec2:g6.xlarge');
    expect(AwsGpuCatalog.INSTANCE.diskPriceKey).toBe('ebs:gp3');
  });
});

describe('GcpPriceCatalog', () => {
  const prices = GcpPriceCatalog.load();

  test('prices what the GCP layer creates in the four regions, dated, with a source', () => {
    expect(prices.regions).toEqual(['europe-west1', 'europe-west4', 'us-central1', 'us-east1']);
    for (const region of prices.regions) {
      for (const key of ['gke:cluster', 'gce:e2-standard-4', 'gce:pd-balanced', 'nat:vm-hour', 'nat:data-gb', 'kms:key-version', 'gcs:standard',
        'cloudsql:enterprise:vcpu:regional', 'cloudsql:ssd:regional', 'cloudsql:backup', 'artifactregistry:storage', 'gkebackup:pod-month',
        'gkebackup:storage', 'secretmanager:secret-version-replica']) {
        const quote = prices.price(key, region);
        expect(quote).toMatchObject({ date: '2026-11-26', source: expect.stringMatching(/^https:\/\/cloud\.google\.com\//) });
        expect(quote!.usd).toBeGreaterThan(0);
      }
    }
  });

  test('an unknown region or key is unpriced, never zero', () => {
    expect(prices.price('gke:cluster', 'asia-east1')).toBeUndefined();
    expect(prices.price('gce:unknown', 'us-central1')).toBeUndefined();
  });
});
