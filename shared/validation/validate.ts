import { ValidationError } from 'yup';
import type { AnySchema, InferType } from 'yup';
import { DomainError } from '../api/errors';

/** Every broken rule, by field path (first message per field). */
export function fieldErrors(error: ValidationError): Record<string, string> {
  const fields: Record<string, string> = {};
  const items = error.inner.length > 0 ? error.inner : [error];
  for (const item of items) {
    const path = item.path ?? '_';
    fields[path] ??= item.message;
  }
  return fields;
}

/**
 * Validates and casts `input`, or throws a `validation_failed` DomainError carrying every field
 * message. Unknown keys are dropped, so a request cannot smuggle in fields like `role` or `status`.
 */
export function validateOrThrow<S extends AnySchema>(schema: S, input: unknown): InferType<S> {
  try {
    return schema.validateSync(input, { abortEarly: false, stripUnknown: true }) as InferType<S>;
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new DomainError('validation_failed', 'Some fields need attention.', fieldErrors(err));
    }
    throw err;
  }
}
