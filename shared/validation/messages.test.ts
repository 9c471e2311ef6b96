import { describe, expect, it } from 'vitest';
import type { Schema } from 'yup';
import * as requests from './requests';
import { messagesFor, schemasOf } from './schemaWalk';

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
