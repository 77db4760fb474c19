import { AzureGpuCatalog } from '../../lib/azure/azure-gpu-catalog';
import { AZURE_REGIONS, azureRegionHasZones } from '../../lib/azure/azure-regions';
import { GpuModel } from '../../lib/core/gpu-catalog';
import { newStack } from '../helpers';

describe('AzureGpuCatalog', () => {
  const catalog = AzureGpuCatalog.INSTANCE;

  test('lists the AKS GPU sizes of every model the issue asks for', () => {
    const models = new Set(catalog.all().map((s) => s.gpuModel));
    for (const m of [GpuModel.NVIDIA_T4, GpuModel.NVIDIA_A10, GpuModel.NVIDIA_A100, GpuModel.NVIDIA_H100, GpuModel.NVIDIA_H100_NVL, GpuModel.NVIDIA_H200]) {
      expect(models.has(m)).toBe(true);
    }
    expect(catalog.lookup('Standard_ND96asr_v4')).toMatchObject({ gpuModel: GpuModel.NVIDIA_A100, gpuCount: 8, gpuMemoryGiB: 40, migCapable: true });
    expect(catalog.lookup('standard_nc24ads_a100_v4')).toMatchObject({ gpuMemoryGiB: 80, gpuCount: 1 });
    expect(catalog.lookup('ND96amsr_A100_v4')).toMatchObject({ gpuMemoryGiB: 80, gpuCount: 8 });
    expect(catalog.lookup('Standard_ND96isr_H100_v5')).toMatchObject({ gpuModel: GpuModel.NVIDIA_H100, gpuCount: 8 });
    expect(catalog.lookup('Standard_ND96isr_H200_v5')).toMatchObject({ gpuModel: GpuModel.NVIDIA_H200, gpuMemoryGiB: 141 });
    expect(catalog.lookup('Standard_ND96isr_H200_v5')!.onDemandHourlyUsd).toBeUndefined();
    expect(catalog.lookup('Standard_NV36ads_A10_v5')).toMatchObject({ gpuModel: GpuModel.NVIDIA_A10, gpuCount: 1, gpuMemoryGiB: 24, migCapable: false });
    expect(catalog.lookup('Standard_D4s_v5')).toBeUndefined();
    expect(catalog.priceKey(catalog.lookup('Standard_NC4as_T4_v3')!)).toBe('vm:Standard_NC4as_T4_v3');
  });

  test('does not list fractional A10 sizes, and rejects them with their own message', () => {
    expect(catalog.all().map((s) => s.instanceType)).not.toContain('Standard_NV12ads_A10_v5');
    const spec = catalog.lookup('Standard_NV12ads_A10_v5')!;
    const stack = newStack();
    expect(() => catalog.checkPoolRequest(stack, { spec, spot: false })).toThrow(/instanceType is not valid|fractional A10 size/);
  });

  test('rejects MIG on sizes without it and malformed capacity reservation group IDs', () => {
    const stack = newStack();
    const t4 = catalog.lookup('Standard_NC4as_T4_v3')!;
    expect(() => catalog.checkPoolRequest(stack, { spec: t4, spot: false, mig: true })).toThrow(/migStrategy.*AKS does not offer/);
    expect(() => catalog.checkPoolRequest(stack, { spec: t4, spot: false, capacityReservationId: 'my-reservation' })).toThrow(/capacityReservationId.*capacity reservation group/);
    expect(() => catalog.checkPoolRequest(stack, {
      spec: t4, spot: false, capacityReservationId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/capacityReservationGroups/crg',
    })).not.toThrow();
  });

  test('names its families and MIG alternatives', () => {
    expect(catalog.families()).toEqual(['NCadsA100_v4', 'NCadsH100_v5', 'NCasT4_v3', 'NDH100v5', 'NDH200v5', 'NDamsrA100_v4', 'NDasrA100_v4', 'NVadsA10_v5']);
    expect(catalog.migHint()).toMatch(/A100, H100 or H200/);
    expect(catalog.reservedNodeLabelKeys).toContain('kubernetes.azure.com/scalesetpriority');
  });
});

describe('Azure regions', () => {
  test('lists the regions the price catalog and example use, and which have zones', () => {
    for (const r of ['eastus', 'eastus2', 'centralus', 'westus3', 'westeurope', 'northeurope']) {
      expect(AZURE_REGIONS).toContain(r);
    }
    expect(azureRegionHasZones('eastus2')).toBe(true);
    expect(azureRegionHasZones('westcentralus')).toBe(false);
  });
});
