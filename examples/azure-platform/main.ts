/*
 * The reference MLOps platform on Azure. `npm run synth` writes it to cdktf.out/stacks/mlops-platform-azure.
 *
 * Settings come from environment variables with defaults, so synth needs no credentials. Deploying needs a real
 * subscription, an Azure Storage state container and kubelogin (the platform report lists the steps).
 */
import { App, AzurermBackend } from 'cdktf';
import { AzureMlopsPlatform, AzurermVersion, CapacityType, CostAllocation, PlatformStack, RecoveryObjective } from '../../lib/azure';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

export function buildAzurePlatform(app: App): PlatformStack {
  const stack = new PlatformStack(app, 'mlops-platform-azure', {
    primaryRegion: env('MLOPS_AZURE_REGION', 'eastus2'),
    costAllocation: new CostAllocation({
      costCenter: env('MLOPS_COST_CENTER', 'cc-4512'),
      team: env('MLOPS_TEAM', 'ml-platform'),
      project: env('MLOPS_PROJECT', 'mlops'),
      environment: env('MLOPS_ENVIRONMENT', 'prod'),
    }),
    // centralus is the Azure pair of eastus2: PostgreSQL geo-redundant backups and GRS copy only to the pair.
    recoveryObjective: RecoveryObjective.businessCritical(env('MLOPS_AZURE_DR_REGION', 'centralus')),
  });
  new AzurermBackend(stack, {
    resourceGroupName: env('MLOPS_AZURE_STATE_RESOURCE_GROUP', 'rg-terraform-state'),
    storageAccountName: env('MLOPS_AZURE_STATE_ACCOUNT', 'acmeterraformstate'),
    containerName: env('MLOPS_AZURE_STATE_CONTAINER', 'tfstate'),
    key: env('MLOPS_AZURE_STATE_KEY', 'mlops/platform-azure.tfstate'),
    useAzureadAuth: true,
  });
  new AzureMlopsPlatform(stack, 'Platform', {
    subscriptionId: env('MLOPS_AZURE_SUBSCRIPTION_ID', '00000000-0000-0000-0000-000000000000'),
    monthlyBudgetUsd: Number(env('MLOPS_MONTHLY_BUDGET_USD', '25000')),
    alertEmails: env('MLOPS_ALERT_EMAILS', 'ml-platform@example.com').split(','),
    deployerCidrs: env('MLOPS_AZURE_DEPLOYER_CIDRS', '203.0.113.0/24').split(',').filter((c) => c !== ''),
    azurermVersion: env('MLOPS_AZURERM_VERSION', 'V5') === 'V4' ? AzurermVersion.V4 : AzurermVersion.V5,
    modelObjectLockDays: 365,
    gpuPools: [
      { name: 'InferenceGpus', instanceType: 'Standard_NC8as_T4_v3', maxSize: 6, timeSlicingReplicas: 4 },
      { name: 'TrainingGpus', instanceType: 'Standard_NC24ads_A100_v4', maxSize: 4, capacityType: CapacityType.SPOT },
    ],
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildAzurePlatform(app);
  app.synth();
}
