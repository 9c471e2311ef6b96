/**
 * Two portal-server instances, each its own process, on one PostgreSQL database behind a real nginx,
 * as a group practice deploys them. They must behave as one server. Runs in `npm run test:postgres`
 * (PORTAL_TEST_POSTGRES_URL names a throwaway PostgreSQL server) where /usr/sbin/nginx exists.
 *
 * `through(i)` sends a request through nginx to instance i; without it nginx picks (round robin).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorResponse } from '../../shared/api/errors';
import { Database } from '../../shared/node/db';
import { SERVER_ENTITIES } from '../../shared/node/entities/server';
import { SERVER_MIGRATIONS } from '../../shared/node/migrations/server';
import type { Mutation, MutationArgs, MutationName, MutationOutcome, PullResponse, PushResponse } from '../../shared/sync/protocol';
import { killAllChildren, ServerProcess, tempDir } from '../faults/harness/processes';
import { listenPokes } from '../fixtures/events';
import type { PokeLog } from '../fixtures/events';
import { readMails } from '../fixtures/mail';
import { freePort, hasNginx, startNginx } from '../fixtures/nginx';
import type { Nginx } from '../fixtures/nginx';
import type { ClinicTeam } from '../fixtures/patients';
import { clinicTeam, futureSlot, registerPatient } from '../fixtures/patients';
import { api, testDatabase, testPostgresAdminUrl } from '../fixtures/portal';

const through = (i: number) => ({ 'x-test-instance': String(i) });

/** A console that pushes through a chosen instance (the fixture's TestConsole always uses one address). */
class Desk {
  readonly clientId = randomUUID();
  private seq = 0;
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async claim(): Promise<void> {
    expect((await api(this.url, '/api/sync/client', { token: this.token, body: { clientId: this.clientId } })).status).toBe(204);
  }

  mutation<N extends MutationName>(name: N, args: MutationArgs[N]): Mutation<N> {
    this.seq += 1;
    return { seq: this.seq, name, argsVersion: 1, args, createdAt: new Date().toISOString(), staffUserId: 'test' };
  }

  push(mutations: Mutation[], headers: Record<string, string> = {}): Promise<{ status: number; body: PushResponse }> {
    return api<PushResponse>(this.url, '/api/sync/push', { token: this.token, body: { clientId: this.clientId, mutations }, headers });
  }
}

function preRegistration(givenName: string): MutationArgs['preRegisterPatient'] {
  return {
    patientId: randomUUID(),
    givenName,
    familyName: 'Twoserver',
    dateOfBirth: '1986-04-12',
    email: `${givenName.toLowerCase()}.${randomUUID().slice(0, 8)}@example.com`,
    phone: '',
    invitationId: randomUUID(),
  };
}

describe.skipIf(!testPostgresAdminUrl || !hasNginx)('two instances on one PostgreSQL database, behind nginx', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  const dir = tempDir('portal-two-');
  const instances: ServerProcess[] = [];
  let nginx: Nginx;
  let team: ClinicTeam;
  const opened: PokeLog[] = [];

  const alive = () => instances.filter((i) => i.child.proc.exitCode === null && i.child.proc.signalCode === null);
  /** Rows of a read-only query, asked of an instance still running. */
  const sql = <T>(query: string) => (alive()[0] as ServerProcess).child.call<T[]>('sql', query);
  const flushBoth = () => Promise.all(alive().map((i) => i.child.call('flushMail')));
  const mailsTo = async (address: string) => (await readMails(instances[0]?.mailDir ?? '')).filter((m) => m.to.includes(address));

  beforeAll(async () => {
    database = await testDatabase();
    // Instances behind one proxy share the database, the SECRET (tokens are HMACs with it) and here
    // also a data folder (each writes its .eml files into the same mail folder; no SQLite file).
    // PUBLIC_URL is the proxy's address, as in a real deployment (the patient portal's Origin check).
    const port = await freePort();
    const env = { FAULT_DATABASE_URL: database.url, FAULT_SECRET: randomUUID() + randomUUID(), FAULT_TRUST_PROXY: 'loopback', FAULT_PUBLIC_URL: `http://127.0.0.1:${port}` };
    instances.push(await new ServerProcess(dir.path, env).start());
    instances.push(await new ServerProcess(dir.path, env).start());
    nginx = await startNginx(instances.map((i) => i.port), port);
    team = await clinicTeam({ url: nginx.url });
  }, 120_000);

  afterAll(async () => {
    opened.forEach((log) => log.close());
    await nginx?.stop();
    await Promise.all(alive().map((i) => i.stop()));
    await killAllChildren();
    await database?.drop();
    dir.remove();
  }, 60_000);

  it("keeps a patient's session through both instances", async () => {
    const patient = await registerPatient(
      { url: nginx.url, mailDir: instances[0]?.mailDir ?? '', handle: { flushMail: async () => void (await flushBoth()) } },
      team.desk.console,
      { givenName: 'Sasha', familyName: 'Session' },
    );
    for (const i of [0, 1, 0, 1]) {
      const home = await api(nginx.url, '/api/home', { headers: { cookie: patient.cookie, ...through(i) } });
      expect(home.status).toBe(200);
    }
    // A write through one and a read through the other.
    const sent = await api(nginx.url, '/api/messages', {
      body: { subject: 'Two servers', body: 'Hello from behind the proxy.' },
      headers: { cookie: patient.cookie, 'x-csrf-token': patient.csrfToken, origin: nginx.url, ...through(0) },
    });
    expect(sent.status).toBeLessThan(300);
    const threads = await api<unknown[]>(nginx.url, '/api/messages', { headers: { cookie: patient.cookie, ...through(1) } });
    expect(threads.status).toBe(200);
    expect(JSON.stringify(threads.body)).toContain('Two servers');
  });

  it('pokes a console connected through one instance when a change commits through the other', async () => {
    const listener = await listenPokes(nginx.url, team.admin.console.token, through(0));
    opened.push(listener);
    await expect.poll(() => listener.pokes.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const before = listener.head;
    const desk = new Desk(nginx.url, team.desk.console.token);
    await desk.claim();
    const first = preRegistration('Polly');
    expect((await desk.push([desk.mutation('preRegisterPatient', first)], through(1))).body.outcomes).toEqual([{ seq: 1, status: 'applied' }]);
    // No timer here: only the cross-instance event can bring this poke, within a generous deadline.
    await expect.poll(() => listener.head, { timeout: 20_000 }).toBeGreaterThan(before);
    // Later pokes carry the changes themselves, read by the listener's own instance.
    const second = preRegistration('Penny');
    expect((await desk.push([desk.mutation('preRegisterPatient', second)], through(1))).body.outcomes).toEqual([{ seq: 2, status: 'applied' }]);
    const carried = () => listener.pokes.flatMap((p) => p.page?.changes ?? []).some((c) => c.op === 'upsert' && c.table === 'patient' && c.row.id === second.patientId);
    await expect.poll(carried, { timeout: 20_000 }).toBe(true);
  });

  it("ends a revoked console's stream on the instance it is connected to, when revoked through the other", async () => {
    const signIn = await api<{ token: string; deviceId: string }>(nginx.url, '/api/staff/sign-in', { body: { username: 'desk1', password: 'Staff2Work', deviceName: 'second desk' } });
    const stream = await listenPokes(nginx.url, signIn.body.token, through(0));
    opened.push(stream);
    await expect.poll(() => stream.pokes.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const revoke = await api(nginx.url, `/api/staff/devices/${signIn.body.deviceId}/revoke`, { token: team.admin.console.token, body: {}, headers: through(1) });
    expect(revoke.status).toBe(200);
    await expect.poll(() => stream.ended, { timeout: 20_000 }).toBe(true);
  });

  it('applies a push retried through the other instance once, and mails once', async () => {
    const desk = new Desk(nginx.url, team.desk.console.token);
    await desk.claim();
    const args = preRegistration('Retta');
    const mutation = desk.mutation('preRegisterPatient', args);
    // The same push through both at once (a lost answer retried through the other), then again.
    const both = await Promise.all([desk.push([mutation], through(0)), desk.push([mutation], through(1))]);
    const statuses = both.map((r) => r.body.outcomes[0]?.status).sort();
    expect(statuses).toEqual(['applied', 'duplicate']);
    expect((await desk.push([mutation], through(1))).body.outcomes).toEqual([{ seq: 1, status: 'duplicate' }]);
    expect(await sql(`SELECT id FROM patient WHERE "givenName" = 'Retta'`)).toHaveLength(1);
    // Both dispatchers pass over the outbox, at once: the invitation goes out once.
    await Promise.all([flushBoth(), flushBoth()]);
    await expect.poll(async () => (await mailsTo(args.email)).length, { timeout: 20_000 }).toBe(1);
    await flushBoth();
    expect(await mailsTo(args.email)).toHaveLength(1);
  });

  it('gives one booking and one field error when two desks race for a slot through different instances', async () => {
    const first = new Desk(nginx.url, team.desk.console.token);
    const second = new Desk(nginx.url, (await team.add('desk2', 'Devon Desk', 'receptionist')).console.token);
    await first.claim();
    await second.claim();
    const owner = preRegistration('Booker');
    expect((await first.push([first.mutation('preRegisterPatient', owner)])).body.outcomes[0]?.status).toBe('applied');
    const rounds: (MutationOutcome | undefined)[][] = [];
    for (let round = 0; round < 15; round += 1) {
      const slot = { patientId: owner.patientId, physicianId: team.doctor.id, start: futureSlot(30 + round, 9), durationMinutes: 30, reason: 'Check-up' };
      const [a, b] = await Promise.all([
        first.push([first.mutation('createAppointment', { ...slot, appointmentId: randomUUID() })], through(0)),
        second.push([second.mutation('createAppointment', { ...slot, appointmentId: randomUUID(), durationMinutes: 45 })], through(1)),
      ]);
      rounds.push([a.body.outcomes[0], b.body.outcomes[0]]);
    }
    // Not one round booked the slot twice (or not at all).
    expect(rounds.map((outcomes) => outcomes.filter((o) => o?.status === 'applied').length)).toEqual(rounds.map(() => 1));
    for (const outcomes of rounds) {
      const refused = outcomes.find((o) => o?.status === 'rejected');
      expect(refused?.error).toMatchObject({ code: 'conflict', fields: { start: expect.stringMatching(/already booked/) } });
    }
    const booked = await sql<{ n: string }>(`SELECT count(*) AS n FROM appointment WHERE "patientId" = '${owner.patientId}' AND status = 'scheduled'`);
    expect(Number(booked[0]?.n)).toBe(15);
  });

  it('lets a console pulling through both instances, while both commit, miss no change', async () => {
    const token = team.desk.console.token;
    const writers = [new Desk(nginx.url, token), new Desk(nginx.url, token)];
    await Promise.all(writers.map((w) => w.claim()));
    const made: string[] = [];
    const seen = new Set<string>();
    // Start from the head: only what commits from now on is pulled below.
    const head = await api<PullResponse>(nginx.url, '/api/sync/pull?epoch=&seq=0&limit=1', { token });
    let cursor: PullResponse['cursor'] = { epoch: head.body.cursor.epoch, seq: head.body.head };
    let writing = true;
    const pullOnce = async (i: number) => {
      const check = cursor.check ? `&check=${cursor.check}` : '';
      const res = await api<PullResponse>(nginx.url, `/api/sync/pull?epoch=${cursor.epoch}&seq=${cursor.seq}${check}&limit=1000`, { token, headers: through(i) });
      expect(res.status).toBe(200);
      expect(res.body.reset).toBe(false);
      for (const c of res.body.changes) {
        if (c.op === 'upsert' && c.table === 'patient') {
          seen.add(c.row.id);
        }
      }
      cursor = res.body.cursor;
      return res.body.more;
    };
    const write = async (w: number) => {
      for (let n = 0; n < 15; n += 1) {
        const args = preRegistration(`Pull${w}x${n}`);
        expect((await writers[w]?.push([writers[w].mutation('preRegisterPatient', args)], through(w)))?.body.outcomes[0]?.status).toBe('applied');
        made.push(args.patientId);
      }
    };
    const pulling = (async () => {
      for (let i = 0; writing; i += 1) {
        await pullOnce(i % 2);
      }
    })();
    await Promise.all([write(0), write(1)]);
    writing = false;
    await pulling;
    while (await pullOnce(0)) {
      // Drain what is left.
    }
    expect(made).toHaveLength(30);
    expect(made.filter((id) => !seen.has(id))).toEqual([]);
  });

  it('loses nothing it had answered when one instance is killed while requests flow', async () => {
    const answered: string[] = [];
    const workers = 4;
    const perWorker = 12;
    let killed = false;
    const killAfter = 10;
    const work = async (w: number) => {
      const desk = new Desk(nginx.url, team.desk.console.token);
      await desk.claim();
      for (let n = 0; n < perWorker; n += 1) {
        const args = preRegistration(`Flow${w}x${n}`);
        const mutation = desk.mutation('preRegisterPatient', args);
        // A request cut by the kill has no answer: the desk sends the same change again, as a
        // console does, until one comes (nginx then sends it to the instance still running).
        for (let attempt = 0; ; attempt += 1) {
          const res = await desk.push([mutation]).catch(() => null);
          const status = res?.status === 200 ? res.body.outcomes[0]?.status : undefined;
          if (status === 'applied' || status === 'duplicate') {
            answered.push(args.patientId);
            break;
          }
          expect(attempt, `push kept failing: ${res?.status} ${JSON.stringify(res?.body as unknown as ApiErrorResponse)}`).toBeLessThan(20);
          await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
        }
        if (!killed && answered.length >= killAfter) {
          killed = true;
          await instances[0]?.child.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, (_, w) => work(w)));
    expect(killed).toBe(true);
    expect(answered).toHaveLength(workers * perWorker);
    const rows = await sql<{ id: string }>(`SELECT id FROM patient WHERE "familyName" = 'Twoserver' AND "givenName" LIKE 'Flow%'`);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(answered));
  }, 120_000);
});

describe.skipIf(!testPostgresAdminUrl)('instances starting together on a fresh PostgreSQL database', () => {
  it('both start: migrations take turns under a lock', async () => {
    const database = await testDatabase();
    try {
      const open = () => Database.open({ databaseUrl: database.url, entities: SERVER_ENTITIES, migrations: SERVER_MIGRATIONS });
      const started = await Promise.allSettled([open(), open(), open()]);
      expect(started.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      for (const s of started) {
        if (s.status === 'fulfilled') {
          await s.value.close();
        }
      }
    } finally {
      await database.drop();
    }
  });

  it('a start that fails closes its connections', async () => {
    const database = await testDatabase();
    const admin = await Database.open({ databaseUrl: testPostgresAdminUrl, entities: [], migrations: [] });
    try {
      class Broken {
        name = 'Broken1999999999999';
        async up(): Promise<void> {
          throw new Error('migration failed');
        }
        async down(): Promise<void> {}
      }
      const dbName = new URL(database.url).pathname.slice(1);
      await expect(Database.open({ databaseUrl: database.url, entities: SERVER_ENTITIES, migrations: [...SERVER_MIGRATIONS, Broken] })).rejects.toThrow(/migration failed/);
      await expect
        // Within 4 s: a pool left open would keep its idle connection for pg's 10 s idle timeout.
        .poll(async () => Number((await admin.read((m) => m.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [dbName])))[0]?.n), { timeout: 4_000 })
        .toBe(0);
    } finally {
      await admin.close();
      await database.drop();
    }
  });
});
