import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { IWorkloadIdentity } from '../core/interfaces';
import { PolicyStatement } from './iam-policy';

/** An AWS principal that resources can grant access to by adding statements to its policy. */
export interface IAwsGrantee {
  /** Adds a statement to the principal's inline policy. */
  addToPrincipalPolicy(statement: PolicyStatement): void;
}

/** Narrows a cloud-neutral identity to one AWS resources can grant to, or throws naming the prop. */
export function asAwsGrantee(scope: IConstruct, prop: string, identity: IWorkloadIdentity): IAwsGrantee {
  const candidate = identity as any;
  if (!candidate || typeof candidate.addToPrincipalPolicy !== 'function') {
    throw new ValidationError(scope, prop, identity?.node?.path ?? identity, 'is not an AWS workload identity',
      'Pass an identity created by an EKS cluster (cluster.newWorkloadIdentity), which is backed by an IAM role.');
  }
  return candidate as IAwsGrantee;
}
