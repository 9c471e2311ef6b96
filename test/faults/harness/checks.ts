/** What every fault test asserts at the end: nothing lost, nothing applied twice, replicas equal. */
import { expect } from 'vitest';
import { serverSnapshotVia } from '../../fixtures/convergence';
import type { SyncSnapshot } from '../../fixtures/convergence';
import { readMails } from '../../fixtures/mail';
import type { ConsoleProcess, ServerProcess } from './processes';

/** Each named patient (prefix1..prefixN) exists once on the server, with one invitation and one invitation mail. */
export async function expectPatientsOnce(server: ServerProcess, prefix: string, count: number): Promise<void> {
  const rows = await server.sql<{ givenName: string; n: number }>(`SELECT givenName, COUNT(*) AS n FROM patient WHERE givenName LIKE '${prefix}%' GROUP BY givenName ORDER BY givenName`);
  expect(rows.map((r) => [r.givenName, Number(r.n)]).sort()).toEqual(Array.from({ length: count }, (_, i) => [`${prefix}${i + 1}`, 1]).sort());
  const invitations = await server.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM invitation i JOIN patient p ON p.id = i.patientId WHERE p.givenName LIKE '${prefix}%'`);
  expect(Number(invitations[0]?.n)).toBe(count);
  await server.child.call('flushMail');
  const mails = (await readMails(server.mailDir)).filter((m) => m.to.startsWith(`${prefix.toLowerCase()}.`));
  expect(mails.map((m) => m.to).sort()).toEqual(Array.from({ length: count }, (_, i) => `${prefix.toLowerCase()}.${i + 1}@example.com`).sort());
}

/** The server holds exactly `seqs` mutations from this console (its client_mutation row). */
export async function expectServerLastSeq(server: ServerProcess, clientId: string, lastSeq: number): Promise<void> {
  const rows = await server.sql<{ lastSeq: number }>(`SELECT lastSeq FROM client_mutation WHERE clientId = '${clientId}'`);
  expect(rows.map((r) => Number(r.lastSeq))).toEqual([lastSeq]);
}

/** Syncs each console until nothing waits, then checks each replica equals a fresh pull from the server. */
export async function expectConverged(server: ServerProcess, token: string, consoles: ConsoleProcess[]): Promise<SyncSnapshot> {
  for (const c of consoles) {
    expect(await c.syncNow()).toMatchObject({ pending: 0, lastError: null });
  }
  // A second round: each console pulls what the others pushed in the first.
  for (const c of consoles) {
    await c.syncNow();
  }
  const expected = await serverSnapshotVia(server.url, token);
  for (const c of consoles) {
    expect(await c.snapshot()).toEqual(expected);
  }
  return expected;
}

/**
 * Waits until `condition` holds, checking every 50 ms, and fails naming `what` after `timeoutMs`
 * (well inside the test's own timeout, so the failure says what never happened).
 */
export async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  await expect.poll(condition, { message: `waited ${timeoutMs} ms for: ${what}`, timeout: timeoutMs, interval: 50 }).toBe(true);
}
