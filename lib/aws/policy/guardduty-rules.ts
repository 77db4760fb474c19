/* GuardDuty rules. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { isFalse, referencesResource, rule } from './rule';

const DETECTOR = ['aws_guardduty_detector'];

export const GUARDDUTY_RULES: IPolicyRule[] = [
  rule('MLOPS_GUARDDUTY_ENABLED', PolicyLevel.ERROR, 'GuardDuty detectors must be enabled.', DETECTOR,
    (detector) => isFalse(detector.config.enable) ? 'enable is false' : undefined),

  rule('CKV2_AWS_3', PolicyLevel.WARNING, 'GuardDuty should be enabled for the whole AWS Organization (an aws_guardduty_organization_configuration).',
    DETECTOR, (detector, context) => context.resourcesOfType('aws_guardduty_organization_configuration')
      .some((c) => referencesResource(c.config.detector_id, detector))
      ? undefined : 'no aws_guardduty_organization_configuration references the detector'),
];
