import { Construct } from 'constructs';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { ArtifactRepository } from '../../lib/gcp/artifact-repository';
import { GcpCloud } from '../../lib/gcp/gcp-cloud';
import { GcpPolicyRules } from '../../lib/gcp/policy/gcp-policy-rules';
import { expectValidationError, newStack, resourceAt, resourcesOfType, synthStack } from '../helpers';

function setup() {
  const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective: RecoveryObjective.businessCritical('us-east1') });
  const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
  return { stack, cloud };
}

function identity(scope: Construct, email = 'ci@fraud-ml-prod.iam.gserviceaccount.com'): any {
  const construct = new Construct(scope, 'Identity') as any;
  Object.assign(construct, { namespace: 'ci', serviceAccountName: 'ci', principalId: email, prerequisites: [] });
  return construct;
}

describe('ArtifactRepository', () => {
  test('is a Docker repository with immutable tags, CMEK, cleanup policies and inherited scanning, in both regions', () => {
    const { stack, cloud } = setup();
    const repo = new ArtifactRepository(stack, 'Images', { cloud, repositoryName: 'fraud/serving' });
    expect(repo.repositoryUrl).toMatch(/^us-central1-docker\.pkg\.dev\/fraud-ml-prod\/\$\{/);
    const { json, report } = synthStack(stack);
    const primary = resourceAt(json, 'google_artifact_registry_repository', 'Images/Resource');
    expect(primary).toMatchObject({
      repository_id: 'fraud-serving', location: 'us-central1', format: 'DOCKER', mode: 'STANDARD_REPOSITORY',
      docker_config: { immutable_tags: true }, vulnerability_scanning_config: { enablement_config: 'INHERITED' }, cleanup_policy_dry_run: false,
    });
    expect(primary.kms_key_name).toMatch(/Gcp_PrimaryDataKey/);
    expect(primary.depends_on[0]).toMatch(/AgentArtifactRegistry/);
    expect(primary.cleanup_policies).toEqual([
      { id: 'delete-untagged', action: 'DELETE', condition: { tag_state: 'UNTAGGED', older_than: `${14 * 86400}s` } },
      { id: 'delete-old-tagged', action: 'DELETE', condition: { tag_state: 'TAGGED', older_than: `${90 * 86400}s` } },
      { id: 'keep-newest', action: 'KEEP', most_recent_versions: { keep_count: 500 } },
    ]);
    const dr = resourceAt(json, 'google_artifact_registry_repository', 'Images/DrRepository');
    expect(dr).toMatchObject({ location: 'us-east1', repository_id: 'fraud-serving' });
    expect(dr.kms_key_name).toMatch(/Gcp_DrDataKey/);
    const titles = report.deploymentSteps.map((s: any) => s.title);
    expect(titles).toEqual(expect.arrayContaining(['Enable vulnerability scanning of Artifact Registry', 'Push serving images to both regions (fraud-serving)']));
  });

  test('drRepository false keeps one repository', () => {
    const { stack, cloud } = setup();
    new ArtifactRepository(stack, 'Images', { cloud, repositoryName: 'serving', drRepository: false, maxImageCount: 10, untaggedImageExpiryDays: 3 });
    const { json } = synthStack(stack);
    const repos = resourcesOfType(json, 'google_artifact_registry_repository');
    expect(repos).toHaveLength(1);
    expect(repos[0].cleanup_policies[2].most_recent_versions.keep_count).toBe(10);
  });

  test('grantPull and grantPush add repository IAM members in both regions', () => {
    const { stack, cloud } = setup();
    const repo = new ArtifactRepository(stack, 'Images', { cloud, repositoryName: 'serving' });
    const id = identity(stack);
    repo.grantPull(id);
    repo.grantPush(id);
    repo.grantPush(id);
    const { json } = synthStack(stack);
    const members = resourcesOfType(json, 'google_artifact_registry_repository_iam_member');
    expect(members.map((m) => m.role).sort()).toEqual(['roles/artifactregistry.reader', 'roles/artifactregistry.reader',
      'roles/artifactregistry.writer', 'roles/artifactregistry.writer']);
    expect(members.every((m) => m.member === 'serviceAccount:ci@fraud-ml-prod.iam.gserviceaccount.com')).toBe(true);
    expect(id.prerequisites).toHaveLength(4);
  });

  test('passes the GCP policy rules', () => {
    const { stack, cloud } = setup();
    stack.policy.addRules(GcpPolicyRules.all());
    new ArtifactRepository(stack, 'Images', { cloud, repositoryName: 'serving' }).grantPull(identity(stack));
    const { report } = synthStack(stack);
    expect(report.policy.findings.filter((f: any) => f.suppressedBecause === undefined && f.level === 'ERROR')).toEqual([]);
  });

  describe('validation', () => {
    test.each([
      ['Serving', /repositoryName is not a valid repository name/],
      ['a', /repositoryName is not a valid repository name/],
      ['9serving', /must start with a letter on Artifact Registry/],
    ])('repositoryName %s', (repositoryName, message) => {
      const { stack, cloud } = setup();
      expectValidationError(() => new ArtifactRepository(stack, 'R', { cloud, repositoryName }), 'test/R', 'repositoryName', message);
    });

    test('two repositories with one ID', () => {
      const { stack, cloud } = setup();
      new ArtifactRepository(stack, 'A', { cloud, repositoryName: 'fraud/serving' });
      expect(() => new ArtifactRepository(stack, 'B', { cloud, repositoryName: 'fraud-serving' })).toThrow(/repositoryName/);
    });

    test.each([
      ['untaggedImageExpiryDays', { untaggedImageExpiryDays: 0 }],
      ['maxImageCount', { maxImageCount: 10001 }],
      ['taggedImageExpiryDays', { taggedImageExpiryDays: 1.5 }],
    ])('%s', (prop, overrides) => {
      const { stack, cloud } = setup();
      expect(() => new ArtifactRepository(stack, 'R', { cloud, repositoryName: 'serving', ...overrides })).toThrow(new RegExp(prop));
    });

    test('an identity without a Google service account', () => {
      const { stack, cloud } = setup();
      const repo = new ArtifactRepository(stack, 'R', { cloud, repositoryName: 'serving' });
      expectValidationError(() => repo.grantPull(identity(stack, '')), 'test/R', 'identity', /no Google service account email/);
    });
  });
});
