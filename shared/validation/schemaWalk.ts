/**
 * Test support: every exported schema of shared/validation, and the messages each gives for bad
 * values. Used by the message tests (plain words, no code names) and by the translation tests
 * (every message has its Spanish).
 */
import { isSchema, ValidationError } from 'yup';
import type { Schema } from 'yup';
import { PASSWORD_POLICIES } from '../domain/clinic';
import * as account from './account';
import * as clinic from './clinic';
import * as contact from './contact';
import * as fields from './fields';
import * as passwordReset from './passwordReset';
import * as patient from './patient';
import { RECORD_SCHEMAS } from './record';
import * as registration from './registration';
import * as requests from './requests';
import * as staff from './staff';

/**
 * Every message a shared schema can produce is written for a person: never yup's default
 * ("medicationId is a required field", "physician must be a `string` type"), never a field's code
 * name, never a bare key path. This walks every exported schema (and schema factory) with empty,
 * wrongly-typed and out-of-range values, and looks at every message that comes back.
 */
const TODAY = '2026-11-26';
const modules = { account, clinic, contact, fields, passwordReset, patient, registration, requests, staff };

export function schemasOf(): Map<string, Schema> {
  const found = new Map<string, Schema>();
  for (const [modName, mod] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(mod as Record<string, unknown>)) {
      if (isSchema(value)) {
        found.set(`${modName}.${name}`, value as Schema);
      } else if (typeof value === 'function' && /Schema$/.test(name)) {
        // Factories take a password policy, a date (today), a question number, or nothing.
        for (const arg of [...PASSWORD_POLICIES, TODAY, 1, 2]) {
          try {
            const made: unknown = (value as (a: unknown, b: unknown) => unknown)(arg, TODAY);
            if (isSchema(made)) {
              found.set(`${modName}.${name}(${String(arg)})`, made as Schema);
            }
          } catch {
            // not this kind of argument
          }
        }
      }
    }
  }
  for (const [kind, schema] of Object.entries(RECORD_SCHEMAS)) {
    found.set(`record.${kind}`, schema as Schema);
  }
  for (const [name, schema] of Object.entries(clinic.clinicDetailsFields)) {
    found.set(`clinic.clinicDetailsFields.${name}`, schema as Schema);
  }
  return found;
}

/** Values that break rules: missing, wrong type, too long, negative, fractional, not in a list. */
const BAD_VALUES: unknown[] = [undefined, null, '', '   ', {}, [], 'x'.repeat(5000), -1, 1.5, 1e9, 'not-a-valid-value', true, '\u0001'];

export function messagesFor(schema: Schema): string[] {
  const out: string[] = [];
  const collect = (input: unknown) => {
    try {
      schema.validateSync(input, { abortEarly: false });
    } catch (err) {
      if (err instanceof ValidationError) {
        out.push(...(err.inner.length > 0 ? err.inner.map((e) => e.message) : [err.message]));
      }
    }
  };
  const described = schema.describe() as { type: string; fields?: Record<string, unknown> };
  if (described.type === 'object' && described.fields) {
    const keys = Object.keys(described.fields);
    collect({});
    collect(undefined);
    for (const bad of BAD_VALUES) {
      collect(Object.fromEntries(keys.map((k) => [k, bad])));
      for (const k of keys) {
        collect({ [k]: bad });
      }
    }
  } else {
    for (const bad of BAD_VALUES) {
      collect(bad);
    }
  }
  return out;
}

