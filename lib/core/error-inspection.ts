import { ValidationError } from './errors';

/**
 * Recognises this library's errors across module copies and jsii languages. (`ValidationError` itself extends
 * JavaScript's `Error`, which jsii cannot export; TypeScript users can import it from `lib/core/errors`.)
 *
 * @example
 * try { app.synth(); } catch (e) { if (Errors.isValidationError(e)) { console.error(e.message); } }
 */
export class Errors {
  /** True when the error is a ValidationError thrown for bad input. */
  public static isValidationError(error: any): boolean {
    return error instanceof ValidationError || (error instanceof Error && error.name === 'ValidationError');
  }

  private constructor() {}
}
