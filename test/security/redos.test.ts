import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnySchema } from 'yup';
import { createApp } from '../../portal-server/server/app';
import { SESSION_COOKIE } from '../../shared/api/types';
import { SYNC_PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../shared/sync/protocol';
import { forgotPasswordSchema, forgotUsernameSchema, recoverPasswordSchema, recoveryCodeFormSchema } from '../../shared/validation/account';
import { emailSchema } from '../../shared/validation/fields';
import { preRegistrationSchema } from '../../shared/validation/patient';
import { registrationSchema } from '../../shared/validation/registration';
import { appointmentRequestSchema, newThreadSchema } from '../../shared/validation/requests';
import { clinicSetupSchema, staffUserSchema } from '../../shared/validation/staff';
import { validateOrThrow } from '../../shared/validation/validate';
import type { HostilePortal } from './helpers';
import { expectRefused, http, nextIp, startHostilePortal } from './helpers';

/**
 * One request must not freeze the server (a regular expression that backtracks on hostile text).
 * No timing here: the patterns are checked by the linter's super-linear rules, the order of the
 * checks by counting what the patterns are given, and the body limits by the answers.
 */
const HOSTILE_EMAIL = `a@${'.'.repeat(50_000)}@`;
const VALIDATION_DIRS = ['shared/validation', 'shared/time'];
const SUPER_LINEAR_RULES = ['regexp/no-super-linear-backtracking', 'regexp/no-super-linear-move'];

describe('every pattern the shared rules run is linear', () => {
  const eslint = new ESLint();
  const superLinear = (results: ESLint.LintResult[]) =>
    results.flatMap((r) => r.messages.filter((m) => SUPER_LINEAR_RULES.includes(m.ruleId ?? '')).map((m) => `${r.filePath}:${m.line} ${m.message}`));

  it('the lint config flags a backtracking pattern (the old email rule) in shared/validation', async () => {
    const file = 'shared/validation/fields.ts';
    const text = readFileSync(file, 'utf8');
    const oldRule = String.raw`/^[^\s@]+@[^\s@]+\.[^\s@]+$/`;
    const withOldRule = text.replace(/^export const EMAIL_PATTERN = .*;$/m, `export const EMAIL_PATTERN = ${oldRule};`);
    expect(withOldRule).toContain(oldRule);
    const found = superLinear(await eslint.lintText(withOldRule, { filePath: file }));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('backtracking');
  }, 120_000);

  it('no file under shared/validation or shared/time has a super-linear pattern', async () => {
    const files = VALIDATION_DIRS.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(dir, f)));
    expect(files.length).toBeGreaterThan(10);
    const results = await eslint.lintFiles(files);
    expect(results).toHaveLength(files.length);
    expect(superLinear(results)).toEqual([]);
  }, 120_000);
});

describe('length comes before any pattern', () => {
  /** Runs `fn` while counting how long a text every regular expression is given (test, match, replace all go through exec). */
  function longestPatternInput(fn: () => void): number {
    const exec = RegExp.prototype.exec;
    let longest = 0;
    RegExp.prototype.exec = function countingExec(this: RegExp, text: string) {
      longest = Math.max(longest, String(text).length);
      return exec.call(this, text);
    };
    try {
      fn();
    } finally {
      RegExp.prototype.exec = exec;
    }
    return longest;
  }

  const refuses = (schema: AnySchema, input: unknown) => () => expect(() => validateOrThrow(schema, input)).toThrow('Some fields need attention.');

  it('a 50,000-dot email is refused as too long without a pattern ever seeing it', () => {
    expect(longestPatternInput(refuses(emailSchema, HOSTILE_EMAIL))).toBeLessThan(300);
    expect(() => emailSchema.validateSync(HOSTILE_EMAIL)).toThrow('That email address is too long.');
    // The counter does see what a pattern is given: a short address is checked.
    expect(longestPatternInput(() => emailSchema.validateSync('name@example.com'))).toBe('name@example.com'.length);
  });

  it('every schema that takes text from an unauthenticated caller or a form refuses 50,000 characters in every field before a pattern runs', () => {
    const today = '2030-01-01';
    const everyField = (fields: string[]) => Object.fromEntries(fields.map((f) => [f, HOSTILE_EMAIL]));
    const cases: [string, AnySchema, unknown][] = [
      ['forgot username', forgotUsernameSchema(today), everyField(['email', 'dateOfBirth'])],
      ['forgot password', forgotPasswordSchema, everyField(['username'])],
      ['recovery code', recoveryCodeFormSchema, everyField(['code'])],
      ['recover password', recoverPasswordSchema('default'), everyField(['answer', 'password', 'confirmPassword'])],
      ['registration', registrationSchema('default', today), everyField(['username', 'password', 'confirmPassword', 'question1', 'answer1', 'question2', 'answer2', 'dateOfBirth', 'registrationId'])],
      ['pre-registration', preRegistrationSchema(today), everyField(['givenName', 'familyName', 'dateOfBirth', 'email', 'phone'])],
      ['staff user', staffUserSchema, everyField(['username', 'displayName', 'role', 'password'])],
      ['clinic setup', clinicSetupSchema, everyField(['name', 'phone', 'address', 'timeZone', 'adminUsername', 'adminDisplayName', 'adminPassword'])],
      ['appointment request', appointmentRequestSchema, everyField(['reason', 'preferredPhysicianId', 'preferredTimes'])],
      ['new thread', newThreadSchema, everyField(['subject', 'body'])],
    ];
    for (const [name, schema, input] of cases) {
      const longest = longestPatternInput(refuses(schema, input));
      expect({ name, longest: Math.min(longest, 1000) }).toEqual({ name, longest: expect.toSatisfy((n: number) => n < 300) as number });
    }
  });
});

describe('bodies from callers who are not signed in', () => {
  let hp: HostilePortal;
  beforeAll(async () => {
    hp = await startHostilePortal();
  });
  afterAll(async () => {
    await hp.stop();
  });

  const dob = '04/12/1986';

  it('POST /api/recovery/start with a 50,000-dot address is refused 413 before any handler, with or without a made-up cookie or token', async () => {
    const before = await hp.snapshot();
    const sessions = await hp.count('patient_session');
    const body = { kind: 'username', email: HOSTILE_EMAIL, dateOfBirth: dob };
    const extras: Record<string, string>[] = [{}, { cookie: `${SESSION_COOKIE}=made-up-session` }, { authorization: 'Bearer made-up-token-made-up-token' }];
    for (const extra of extras) {
      const res = await http(hp.url, '/api/recovery/start', { body, headers: { origin: hp.url, 'x-forwarded-for': nextIp(), ...extra } });
      expectRefused(res, 413, 'payload_too_large');
    }
    expect(await hp.snapshot()).toEqual(before);
    expect(await hp.count('patient_session')).toBe(sessions);
    const [row] = await hp.rows<{ n: number }>('SELECT COUNT(*) AS n FROM account_recovery');
    expect(Number(row?.n)).toBe(0);
  });

  it('every state-changing route, read from the router, refuses a 20 kB body from a caller with no real credential: 413 where anyone may call, 401 where sign-in is needed', async () => {
    const routes = stateChangingRoutes(hp.portal.handle);
    expect(routes.length).toBeGreaterThan(20);
    const padding = 'x'.repeat(20 * 1024);
    const before = await hp.snapshot();
    const answers: string[] = [];
    for (const { method, path } of routes) {
      const extras: Record<string, string>[] = [{}, { cookie: `${SESSION_COOKIE}=made-up-session`, authorization: 'Bearer made-up-token-made-up-token' }];
      for (const extra of extras) {
        const res = await http<{ error?: { code?: string } }>(hp.url, path, { method, body: { padding }, headers: { origin: hp.url, 'x-forwarded-for': nextIp(), [SYNC_PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION), ...extra } });
        answers.push(`${method} ${path} ${Object.keys(extra).length > 0 ? 'credential' : 'none'} ${res.status} ${res.body.error?.code ?? ''}`);
      }
    }
    const unexpected = answers.filter((a) => !/ none 413 payload_too_large$/.test(a) && !/ credential (413 payload_too_large|401 not_signed_in)$/.test(a));
    expect(unexpected).toEqual([]);
    // The public routes are held to the small limit even when they claim a credential.
    for (const path of ['/api/session', '/api/staff/sign-in', '/api/registration', '/api/recovery/start', '/api/recovery/verify', '/api/recovery/complete', '/api/password-reset']) {
      expect(answers).toContain(`POST ${path} credential 413 payload_too_large`);
    }
    expect(await hp.snapshot()).toEqual(before);
  });
});

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouteLayer[] };
}

/** POST/PUT/PATCH/DELETE routes under /api as the app has them, `:params` filled with an id. */
function stateChangingRoutes(handle: HostilePortal['portal']['handle']): { method: string; path: string }[] {
  // The same app the server runs, built again from its context (createApp only wires routes).
  const router = createApp(handle.context, { allowedOrigins: () => [] }).router as Router;
  const stack = router.stack as unknown as RouteLayer[];
  const out: { method: string; path: string }[] = [];
  const walk = (layers: RouteLayer[]): void => {
    for (const layer of layers) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))) {
          if (layer.route.path.startsWith('/api/')) {
            out.push({ method: method.toUpperCase(), path: layer.route.path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000') });
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk(stack);
  return out;
}
