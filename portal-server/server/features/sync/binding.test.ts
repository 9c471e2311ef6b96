/**
 * A client id is bound to the device tokens of the console that uses it (sync-loss hole 2): a
 * token of another console can neither push under it, nor pass its seqs with prevSeq, nor use
 * them up; every token of the console itself can, including tokens signed in before the upgrade.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../../../shared/api/errors';
import type { StaffSignInResponse } from '../../../../shared/api/types';
import type { Mutation, PushResponse } from '../../../../shared/sync/protocol';
import type { TestPortal } from '../../../../test/fixtures/portal';
import { TEST_CLINIC, addStaff, api, signInStaff, startTestPortal } from '../../../../test/fixtures/portal';
import { MAX_SEQ } from './service';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal();
  const adminToken = (await signInStaff(portal.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
  for (const username of ['deska', 'deskb', 'deskc']) {
    await addStaff(portal.url, adminToken, username, 'receptionist');
  }
});
afterAll(async () => {
  await portal.stop();
});

/** A staff sign-in as the console makes it: naming its client id, or (an older console) not. */
async function signIn(username: string, clientId?: string): Promise<string> {
  const res = await api<StaffSignInResponse>(portal.url, '/api/staff/sign-in', { body: { username, password: 'Copper-Kettle-Desk-81', deviceName: 'test', ...(clientId ? { clientId } : {}) } });
  expect(res.status).toBe(200);
  return res.body.token;
}

function patient(seq: number, extra: Partial<Mutation> = {}): Mutation {
  const name = `Seq${seq}${randomUUID().slice(0, 4)}`;
  return {
    seq,
    name: 'preRegisterPatient',
    argsVersion: 1,
    args: { patientId: randomUUID(), givenName: name, familyName: 'Bound', dateOfBirth: '1980-02-02', email: `${name.toLowerCase()}@example.com`, phone: '', invitationId: null },
    createdAt: new Date().toISOString(),
    staffUserId: 'test',
    ...extra,
  };
}

const push = (token: string, clientId: string, mutations: Mutation[]) => api<PushResponse & ApiErrorResponse>(portal.url, '/api/sync/push', { token, body: { clientId, mutations } });
const claim = (token: string, clientId: string) => api<ApiErrorResponse | null>(portal.url, '/api/sync/client', { token, body: { clientId } });

const TABLES = ['client_mutation', 'mutation_intent', 'mutation_rejection', 'patient', 'change_log', 'client_binding', 'audit_event'];
async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    out[table] = await portal.handle.context.db.read((m) => m.query(`SELECT * FROM "${table}"`));
  }
  return out;
}

function expectForbidden(res: { status: number; body: unknown }): void {
  expect(res.status).toBe(403);
  expect((res.body as ApiErrorResponse).error.code).toBe('forbidden');
}

describe("another console's token", () => {
  it("cannot push under a console's id, skip its seqs with prevSeq, use them up, or claim it; nothing changes and the console syncs on", async () => {
    const [consoleA, consoleB] = [randomUUID(), randomUUID()];
    const deskA = await signIn('deska', consoleA);
    expect((await push(deskA, consoleA, [patient(1)])).body.lastSeq).toBe(1);
    // One token of console B bound at sign-in, one (an older console's sign-in) at its first push.
    const boundAtSignIn = await signIn('deskb', consoleB);
    const boundAtFirstPush = await signIn('deskc');
    expect((await push(boundAtSignIn, consoleB, [patient(1)])).body.lastSeq).toBe(1);
    expect((await push(boundAtFirstPush, consoleB, [patient(2)])).body.lastSeq).toBe(2);

    const before = await snapshot();
    for (const intruder of [boundAtSignIn, boundAtFirstPush]) {
      expectForbidden(await push(intruder, consoleA, [patient(2)]));
      expectForbidden(await push(intruder, consoleA, [patient(7, { prevSeq: 1 })]));
      expectForbidden(await push(intruder, consoleA, [patient(MAX_SEQ, { prevSeq: 1 })]));
      // Not even how far console A has come.
      expectForbidden(await push(intruder, consoleA, []));
      expectForbidden(await claim(intruder, consoleA));
    }
    expect(await snapshot()).toEqual(before);

    const next = await push(deskA, consoleA, [patient(2)]);
    expect(next.body).toMatchObject({ lastSeq: 2, outcomes: [{ seq: 2, status: 'applied' }] });
  });
});

describe("a console's own tokens", () => {
  it("a second staff member signing in on the console pushes under the console's id, and only there", async () => {
    const [consoleA, consoleB] = [randomUUID(), randomUUID()];
    const first = await signIn('deska', consoleA);
    expect((await push(first, consoleA, [patient(1)])).body.lastSeq).toBe(1);
    const second = await signIn('deskb', consoleA);
    expect((await push(second, consoleA, [patient(2)])).body).toMatchObject({ lastSeq: 2, outcomes: [{ seq: 2, status: 'applied' }] });
    expect((await push(first, consoleA, [patient(3)])).body.lastSeq).toBe(3);
    expectForbidden(await push(second, consoleB, [patient(1)]));
  });

  it('tokens signed in before the upgrade keep pushing: each id is bound to the token that pushed it last, other old tokens at their first push', async () => {
    const [consoleA, consoleB] = [randomUUID(), randomUUID()];
    const [oldA1, oldA2, oldB] = [await signIn('deska'), await signIn('deskb'), await signIn('deskc')];
    expect((await push(oldA1, consoleA, [patient(1)])).body.lastSeq).toBe(1);
    expect((await push(oldA2, consoleA, [patient(2)])).body.lastSeq).toBe(2);
    expect((await push(oldB, consoleB, [patient(1)])).body.lastSeq).toBe(1);
    // Back to the database as the server before the upgrade left it, then upgrade.
    await portal.handle.context.db.write(async (m) => {
      await m.query('DROP TABLE "client_binding"');
      await m.query(`DELETE FROM "migrations" WHERE "name" = 'ServerClientBinding1764600000000'`);
    });
    await portal.restart();

    expect((await push(oldA2, consoleA, [patient(3)])).body).toMatchObject({ lastSeq: 3, outcomes: [{ seq: 3, status: 'applied' }] });
    expect((await push(oldA1, consoleA, [patient(4)])).body).toMatchObject({ lastSeq: 4, outcomes: [{ seq: 4, status: 'applied' }] });
    expectForbidden(await push(oldB, consoleA, [patient(5)]));
    expect((await push(oldB, consoleB, [patient(2)])).body.lastSeq).toBe(2);
    const bindings = await portal.handle.context.db.read((m) =>
      m.query(`SELECT "clientId", "boundBy" FROM "client_binding" WHERE "clientId" IN ('${consoleA}', '${consoleB}') ORDER BY "boundBy", "clientId"`),
    );
    expect(bindings).toEqual(
      [
        { clientId: consoleA, boundBy: 'first_push' },
        { clientId: consoleA, boundBy: 'upgrade' },
        { clientId: consoleB, boundBy: 'upgrade' },
      ].sort((x, y) => `${x.boundBy}${x.clientId}`.localeCompare(`${y.boundBy}${y.clientId}`)),
    );
  });
});

describe('POST /api/sync/client', () => {
  it("moves a console's tokens to a new id together; another console's token cannot follow", async () => {
    const [consoleA, consoleB, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    const [a1, a2, b] = [await signIn('deska', consoleA), await signIn('deskb', consoleA), await signIn('deskc', consoleB)];
    expect((await push(a1, consoleA, [patient(1)])).body.lastSeq).toBe(1);

    expect((await claim(a1, fresh)).status).toBe(204);
    expect((await claim(a1, fresh)).status).toBe(204);
    expect((await push(a1, fresh, [patient(1)])).body.lastSeq).toBe(1);
    // The console's other token follows even after pushes under the new id began.
    expect((await claim(a2, fresh)).status).toBe(204);
    expect((await push(a2, fresh, [patient(2)])).body.lastSeq).toBe(2);
    // The old id stays good for a token that moved (a cloned twin may still use it).
    expect((await push(a1, consoleA, [patient(2)])).body.lastSeq).toBe(2);

    const before = await snapshot();
    expectForbidden(await claim(b, fresh));
    expectForbidden(await push(b, fresh, [patient(3)]));
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a malformed id, and a sign-in naming one', async () => {
    const token = await signIn('deska', randomUUID());
    const res = await claim(token, 'not-an-id');
    expect(res.status).toBe(400);
    expect((res.body as ApiErrorResponse).error.code).toBe('validation_failed');
    const malformed = await api<ApiErrorResponse>(portal.url, '/api/staff/sign-in', { body: { username: 'deska', password: 'Copper-Kettle-Desk-81', deviceName: 'test', clientId: 'x' } });
    expect(malformed.status).toBe(400);
  });
});
