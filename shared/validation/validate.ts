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

/** Deeper than any schema here: below this, yup never looks at keys, so they are left as they are. */
const MAX_SCHEMA_DEPTH = 8;

/**
 * Drops keys named like Object.prototype members (`__proto__`, `constructor`, `toString` …) from
 * plain objects: yup looks fields up by key in a plain object, mistakes those for schema fields and
 * throws a TypeError, which would turn a hostile request into a 500. No form ever has such a field.
 */
function withoutPrototypeKeys(value: unknown, depth = 0): unknown {
  if (depth > MAX_SCHEMA_DEPTH || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v: unknown) => withoutPrototypeKeys(v, depth + 1));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(key in Object.prototype)) {
      out[key] = withoutPrototypeKeys(v, depth + 1);
    }
  }
  return out;
}

/**
 * Validates and casts `input`, or throws a `validation_failed` DomainError carrying every field
 * message. Unknown keys are dropped, so a request cannot smuggle in fields like `role` or `status`.
 */
export function validateOrThrow<S extends AnySchema>(schema: S, input: unknown): InferType<S> {
  try {
    return schema.validateSync(withoutPrototypeKeys(input), { abortEarly: false, stripUnknown: true }) as InferType<S>;
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new DomainError('validation_failed', 'Some fields need attention.', fieldErrors(err));
    }
    // yup's transforms (e.g. string().trim()) throw a TypeError on a value of the wrong shape, such
    // as an array or object where text belongs: that is bad input, not a server failure.
    if (err instanceof TypeError) {
      throw new DomainError('validation_failed', 'Some fields are not in the expected form.');
    }
    throw err;
  }
}
