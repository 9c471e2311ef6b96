import { describe, expect, it } from 'vitest';
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

function schemasOf(): Map<string, Schema> {
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

function messagesFor(schema: Schema): string[] {
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

/** Field names that are code, not words: camelCase, digits, underscores (e.g. medicationId, answer1). */
function codeNames(schema: Schema): string[] {
  const described = schema.describe() as { fields?: Record<string, unknown> };
  return Object.keys(described.fields ?? {}).filter((k) => /[A-Z0-9_]/.test(k));
}

const YUP_DEFAULT = /is a required field|must be a `|must be one of the following|must be (?:a )?(?:positive|negative|integer|less|greater)|field must|is invalid|must match the following|must be defined|cannot be null|\$\{/;
const KEY_PATH = /^[\w$]+(?:[.[\]][\w$\]]*)+$|^[a-z]+[A-Z]\w*$/;

describe('shared validation messages', () => {
  const all = schemasOf();

  it('finds the schemas (the walk is not empty)', () => {
    expect(all.size).toBeGreaterThan(25);
    expect([...all.keys()]).toContain('requests.renewalRequestSchema');
    expect([...all.keys()]).toContain('requests.appointmentSlotSchema');
  });

  for (const [name, schema] of all) {
    it(`${name}: every message is for a person, with no field code name`, () => {
      const messages = [...new Set(messagesFor(schema))];
      expect(messages.length).toBeGreaterThan(0);
      const names = [...codeNames(schema), 'physician', 'medicationId', 'physicianId'];
      const leaks = messages.filter(
        (m) => YUP_DEFAULT.test(m) || KEY_PATH.test(m.trim()) || names.some((n) => new RegExp(`\\b${n}\\b`).test(m) && !/^[A-Z]/.test(n) && m.startsWith(n)) || codeNames(schema).some((n) => m.includes(n)),
      );
      expect(leaks).toEqual([]);
    });
  }
});

describe('the two messages the issue names', () => {
  it('a renewal request without a medication says so in words', () => {
    expect(() => requests.renewalRequestSchema.validateSync({})).toThrow('Choose a medication.');
  });
  it('a console slot without a physician says so in words', () => {
    expect(() => requests.appointmentSlotSchema.validateSync({ start: '2026-12-01T10:00:00.000Z', durationMinutes: 30 })).toThrow('Choose a physician.');
  });
});
