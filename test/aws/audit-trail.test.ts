import { AuditTrail } from '../../lib/aws/audit-trail';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { ThreatDetection } from '../../lib/aws/guard-duty';
import { ImageScanType, RegistryScanning } from '../../lib/aws/registry-scanning';
import { BackupPolicy } from '../../lib/backup-policy';
import {
  SynthResult, expectValidationError, newStack, refTo, resourceAt, resourcesOfType, synthStack,
} from '../helpers';

const statement = (policy: string, sid: string) => JSON.parse(policy).Statement.find((s: any) => s.Sid === sid);

describe('AuditTrail, RegistryScanning and ThreatDetection', () => {
  let out: SynthResult;
  let json: any;
  beforeAll(() => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new BackupPolicy(stack, 'Backups', { cloud });
    new AuditTrail(stack, 'Audit', { cloud, retentionDays: 400, cloudWatchLogs: true });
    new RegistryScanning(stack, 'ImageScanning', { cloud, scanType: ImageScanType.ENHANCED_CONTINUOUS });
    new ThreatDetection(stack, 'GuardDuty', { cloud });
    cloud.alertTopic().addEmail('secops@example.com');
    out = synthStack(stack);
    json = out.json;
  });

  test('the trail covers every region, validates log files, is KMS-encrypted and logs to CloudWatch', () => {
    const trail = resourceAt(json, 'aws_cloudtrail', 'test/Audit/Resource');
    expect(trail).toMatchObject({
      name: 'fraud-prod-audit', is_multi_region_trail: true, include_global_service_events: true, enable_log_file_validation: true,
      enable_logging: true,
      kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn'),
      s3_bucket_name: refTo(json, 'aws_s3_bucket', 'test/Audit/Bucket/Resource', 'bucket'),
      cloud_watch_logs_group_arn: `${refTo(json, 'aws_cloudwatch_log_group', 'test/Audit/LogGroup', 'arn')}:*`,
      cloud_watch_logs_role_arn: refTo(json, 'aws_iam_role', 'test/Audit/LogsRole', 'arn'),
    });
    expect(trail.depends_on).toContain('aws_s3_bucket_policy.' + Object.entries(json.resource.aws_s3_bucket_policy)
      .find(([, r]: any) => r['//'].metadata.path === 'test/Audit/Bucket/Policy')![0]);
    const logGroup = resourceAt(json, 'aws_cloudwatch_log_group', 'test/Audit/LogGroup');
    expect(logGroup).toMatchObject({ name: '/aws/cloudtrail/fraud-prod-audit', retention_in_days: 365 });
    expect(logGroup.kms_key_id).toBe(refTo(json, 'aws_kms_key', 'test/Aws/PrimaryLogsKey/Resource', 'arn'));
  });

  test('the bucket is object-locked, replicated and registered, and its policy admits only this trail', () => {
    expect(resourceAt(json, 'aws_s3_bucket', 'test/Audit/Bucket/Resource').object_lock_enabled).toBe(true);
    expect(resourceAt(json, 'aws_s3_bucket_object_lock_configuration', 'test/Audit/Bucket/ObjectLock').rule)
      .toEqual({ default_retention: { mode: 'GOVERNANCE', days: 400 } });
    expect(resourceAt(json, 'aws_s3_bucket', 'test/Audit/Bucket/Replica/Resource').object_lock_enabled).toBe(true);
    resourceAt(json, 'aws_s3_bucket_replication_configuration', 'test/Audit/Bucket/Replication');
    const policy = resourceAt(json, 'aws_s3_bucket_policy', 'test/Audit/Bucket/Policy').policy;
    expect(statement(policy, 'DenyInsecureTransport')).toBeDefined();
    const write = statement(policy, 'CloudTrailWritesLogFiles');
    expect(write.Principal).toEqual({ Service: 'cloudtrail.amazonaws.com' });
    expect(write.Condition.StringEquals['aws:SourceArn']).toMatch(/:cloudtrail:us-east-1:.*:trail\/fraud-prod-audit$/);
    expect(write.Condition.StringEquals['s3:x-amz-acl']).toBe('bucket-owner-full-control');
    expect(statement(policy, 'CloudTrailChecksBucketAcl').Action).toBe('s3:GetBucketAcl');
    const store = out.report.dataStores.find((s: any) => s.path === 'test/Audit/Bucket');
    expect(store).toMatchObject({ kind: 'OBJECT_STORE', purpose: 'audit-trail', region: 'us-east-1' });
    expect(store.protections.map((p: any) => p.mechanism)).toEqual(expect.arrayContaining(['S3 cross-region replication (RTC 15 min)', 'AWS Backup']));
    expect(store.protections.every((p: any) => p.copyRegion === 'us-west-2')).toBe(true);
  });

  test('the data key lets CloudTrail encrypt only for this trail', () => {
    const policy = resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource').policy;
    const encrypt = statement(policy, 'CloudTrailEncryptsLogFiles');
    expect(encrypt.Action).toEqual(['kms:GenerateDataKey*']);
    expect(encrypt.Condition.StringEquals['aws:SourceArn']).toMatch(/trail\/fraud-prod-audit$/);
    expect(encrypt.Condition.StringLike['kms:EncryptionContext:aws:cloudtrail:arn']).toMatch(/^arn:.*:cloudtrail:\*:.*:trail\/\*$/);
    expect(statement(policy, 'CloudTrailDescribesKey').Action).toEqual(['kms:DescribeKey']);
  });

  test('enhanced continuous scanning of every repository, with Inspector activation as a deployment step', () => {
    const config = resourceAt(json, 'aws_ecr_registry_scanning_configuration', 'test/ImageScanning/Resource');
    expect(config.scan_type).toBe('ENHANCED');
    expect(config.rule).toEqual([{ scan_frequency: 'CONTINUOUS_SCAN', repository_filter: [{ filter: '*', filter_type: 'WILDCARD' }] }]);
    expect(JSON.stringify(out.report)).toContain('aws inspector2 enable --resource-types ECR');
  });

  test('HIGH and CRITICAL findings reach the encrypted alert topic', () => {
    const inspector = JSON.parse(resourceAt(json, 'aws_cloudwatch_event_rule', 'test/ImageScanning/Findings').event_pattern);
    expect(inspector).toEqual({
      'source': ['aws.inspector2'], 'detail-type': ['Inspector2 Finding'],
      'detail': { severity: ['HIGH', 'CRITICAL'], status: ['ACTIVE'], resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] } },
    });
    const guardDuty = JSON.parse(resourceAt(json, 'aws_cloudwatch_event_rule', 'test/GuardDuty/Findings').event_pattern);
    expect(guardDuty.detail).toEqual({ severity: [{ numeric: ['>=', 7] }] });
    const topicArn = refTo(json, 'aws_sns_topic', 'test/Aws/AlertTopic/Resource', 'arn');
    for (const owner of ['ImageScanning', 'GuardDuty']) {
      expect(resourceAt(json, 'aws_cloudwatch_event_target', `test/${owner}/FindingsTarget`).arn).toBe(topicArn);
    }
    expect(resourceAt(json, 'aws_sns_topic', 'test/Aws/AlertTopic/Resource').kms_master_key_id)
      .toBe(refTo(json, 'aws_kms_key', 'test/Aws/PrimaryNotificationsKey/Resource', 'arn'));
    const topicPolicy = resourceAt(json, 'aws_sns_topic_policy', 'test/Aws/AlertTopic/Policy').policy;
    expect(statement(topicPolicy, 'AwsServicesPublish')).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'SNS:Publish' });
    const keyPolicy = resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryNotificationsKey/Resource').policy;
    expect(statement(keyPolicy, 'Allowevents').Action).toEqual(['kms:GenerateDataKey*', 'kms:Decrypt']);
    expect(resourceAt(json, 'aws_sns_topic_subscription', 'test/Aws/AlertTopic/Email1').endpoint).toBe('secops@example.com');
  });

  test('GuardDuty: a detector with EKS audit logs and runtime monitoring managed as an add-on', () => {
    expect(resourceAt(json, 'aws_guardduty_detector', 'test/GuardDuty/Resource').enable).toBe(true);
    const features = resourcesOfType(json, 'aws_guardduty_detector_feature');
    expect(features.map((f) => f.name).sort()).toEqual(['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING']);
    expect(features.find((f) => f.name === 'RUNTIME_MONITORING').additional_configuration).toEqual([{ name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' }]);
  });

  test('synth passes the policy pack with no errors, and the report lists the components and cost lines', () => {
    expect(out.report.policy.errors).toBe(0);
    const names = JSON.stringify(out.report);
    for (const c of ['AuditTrail', 'RegistryScanning', 'ThreatDetection']) {
      expect(names).toContain(c);
    }
    for (const key of ['cloudtrail:management-events-100k', 'inspector:ecr-image-scan', 'guardduty:runtime-vcpu-hour']) {
      expect(names).toContain(key);
    }
  });
});

describe('existing GuardDuty detector and basic scanning', () => {
  test('an existing detector is adopted, not created', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new ThreatDetection(stack, 'GuardDuty', { cloud, existingDetectorId: '12abc34d567e8fa901bc2d34e56789f0', runtimeMonitoring: false });
    new RegistryScanning(stack, 'ImageScanning', { cloud });
    const json = synthStack(stack).json;
    expect(resourcesOfType(json, 'aws_guardduty_detector')).toEqual([]);
    expect(resourcesOfType(json, 'aws_guardduty_detector_feature').map((f) => [f.name, f.detector_id]))
      .toEqual([['EKS_AUDIT_LOGS', '12abc34d567e8fa901bc2d34e56789f0']]);
    const config = resourceAt(json, 'aws_ecr_registry_scanning_configuration', 'test/ImageScanning/Resource');
    expect(config).toMatchObject({ scan_type: 'BASIC', rule: [{ scan_frequency: 'SCAN_ON_PUSH' }] });
    const pattern = JSON.parse(resourceAt(json, 'aws_cloudwatch_event_rule', 'test/ImageScanning/Findings').event_pattern);
    expect(pattern.source).toEqual(['aws.ecr']);
    expect(pattern.detail['finding-severity-counts'].$or).toHaveLength(2);
  });
});

describe('validation', () => {
  const cloudIn = () => {
    const stack = newStack();
    return { stack, cloud: new AwsCloud(stack, 'Aws') };
  };
  test('retentionDays', () => {
    const { stack, cloud } = cloudIn();
    expectValidationError(() => new AuditTrail(stack, 'Audit', { cloud, retentionDays: 0 }), 'test/Audit', 'retentionDays', /whole number/);
  });
  test('trailName', () => {
    const { stack, cloud } = cloudIn();
    expectValidationError(() => new AuditTrail(stack, 'Audit', { cloud, trailName: 'bad name!' }), 'test/Audit', 'trailName', /not valid/);
  });
  test('cloud', () => {
    const { stack } = cloudIn();
    expect(() => new AuditTrail(stack, 'Audit', { cloud: undefined as any })).toThrow(/cloud/);
    expect(() => new RegistryScanning(stack, 'Scan', { cloud: {} as any })).toThrow(/cloud/);
    expect(() => new ThreatDetection(stack, 'Gd', { cloud: 'x' as any })).toThrow(/cloud/);
  });
  test('scanType', () => {
    const { stack, cloud } = cloudIn();
    expectValidationError(() => new RegistryScanning(stack, 'Scan', { cloud, scanType: 'ENHANCED' as any }), 'test/Scan', 'scanType', /ImageScanType/);
  });
  test('existingDetectorId and monitoredVcpus', () => {
    const { stack, cloud } = cloudIn();
    expectValidationError(() => new ThreatDetection(stack, 'Gd', { cloud, existingDetectorId: 'detector-1' }), 'test/Gd', 'existingDetectorId', /detector ID/);
    expectValidationError(() => new ThreatDetection(stack, 'Gd2', { cloud, monitoredVcpus: 0 }), 'test/Gd2', 'monitoredVcpus', /whole number/);
  });
  test('alert topic emails', () => {
    const { cloud } = cloudIn();
    expect(() => cloud.alertTopic().addEmail('not-an-email')).toThrow(/email/);
  });
});
