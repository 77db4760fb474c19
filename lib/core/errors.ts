import { IConstruct } from 'constructs';

/**
 * The one error this library throws for bad input.
 *
 * The message always names the construct path, the prop, the value that was given and what to do
 * instead, so a user can fix the stack without reading the library's source.
 */
export class ValidationError extends Error {
  /** Path of the construct whose input is wrong. */
  public readonly constructPath: string;
  /** Name of the prop that is wrong (dotted for nested props). */
  public readonly prop: string;

  /**
   * @param scope the construct whose input is wrong
   * @param prop the prop, e.g. `instanceType` or `recoveryObjective.rpo`
   * @param value the value that was given (formatted into the message)
   * @param problem what is wrong, e.g. `is not a GPU instance type`
   * @param fix what to do instead
   */
  constructor(scope: IConstruct, prop: string, value: any, problem: string, fix: string) {
    super(`[${scope.node.path || '<root>'}] ${prop} ${problem} (got ${formatValue(value)}). ${fix}`);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
    this.prop = prop;
    Object.setPrototypeOf(this, ValidationError.prototype);
  }
}

/** Renders a user value for an error message without `[object Object]`. */
function formatValue(value: any): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return JSON.stringify(value);
  }
  if (typeof value === 'object' && typeof value.toString === 'function' && value.toString !== Object.prototype.toString) {
    return String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
