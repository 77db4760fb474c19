/* SQS rules: encryption at rest with a customer-managed key, TLS only. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { attachedTo, isSet, isTrue, rule, statementsOf } from './rule';

const QUEUE = ['aws_sqs_queue'];

export const SQS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_27', PolicyLevel.ERROR, 'SQS queues must encrypt messages at rest (KMS or SQS-managed keys).', QUEUE,
    (queue) => isSet(queue.config.kms_master_key_id) || isTrue(queue.config.sqs_managed_sse_enabled)
      ? undefined : 'neither kms_master_key_id nor sqs_managed_sse_enabled is set'),

  rule('MLOPS_SQS_CMK', PolicyLevel.WARNING, 'SQS queues should use a customer-managed KMS key rather than SQS-managed encryption.', QUEUE,
    (queue) => isSet(queue.config.kms_master_key_id) && queue.config.kms_master_key_id !== 'alias/aws/sqs'
      ? undefined : 'the queue is not encrypted with a customer-managed key'),

  rule('MLOPS_SQS_TLS', PolicyLevel.ERROR, 'SQS queues must have a queue policy that denies requests not made over TLS.', QUEUE,
    (queue, context) => {
      const denies = attachedTo(context, 'aws_sqs_queue_policy', queue, 'queue_url').some((p) => statementsOf(p.config.policy).some((s) =>
        s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false'));
      return denies ? undefined : 'no aws_sqs_queue_policy on the queue denies aws:SecureTransport = false';
    }),
];
