import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Database } from '../../../../shared/node/db';
import type { EntityManager } from 'typeorm';
import { ClinicEntity, InvitationEntity, MailOutboxEntity } from '../../../../shared/node/entities/server';
import type { InvitationRow, MailOutboxRow } from '../../../../shared/node/entities/server';
import { updateSynced } from '../sync/writeSynced';
import type { SyncedWriter } from '../sync/writeSynced';
import { whyNotLive } from './liveness';
import { openMailPayload } from './sealedPayload';
import { render } from './templates';

/** A delivered mail's sealed payload is not kept past the write that marks it done. */
const SCRUBBED = '{"scrubbed":true}';

export interface MailDispatcherOptions {
  db: Database;
  /** The server's SECRET: queued payloads are sealed with a key derived from it (sealedPayload.ts). */
  secret: string;
  now: () => Date;
  /** SMTP URL; without it each message is written as an .eml file into mailDir. */
  smtpUrl?: string;
  mailDir: string;
  mailFrom: string;
  retryBaseMs: number;
  maxTries: number;
  /** How long a claim on a mail holds before another instance may send it (default 5 minutes). */
  leaseMs?: number;
  /** Called after a send changed synced rows (invitation sentAt / failed). */
  onChange: () => void;
}

/**
 * Sends the mail outbox after commit, with retries and back-off. A mail that keeps failing marks
 * its invitation "failed" so the front desk sees it. Each pass claims the mails it will send
 * (claimDue), so dispatchers of several instances — or two processes on one SQLite file — never send
 * the same mail twice. Delivery is at-least-once: a crash between the SMTP accept and the "sent"
 * write can repeat one mail once the claim's lease runs out, never lose it.
 */
export class MailDispatcher {
  private readonly transport: Transporter;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: MailDispatcherOptions) {
    this.transport = o.smtpUrl
      ? nodemailer.createTransport(o.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** Starts a pass soon; passes never overlap. */
  kick(): void {
    if (this.closed) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    // A failed pass (the database went away) is logged-free and retried on the next kick or timer;
    // it must never become an unhandled rejection that ends the process.
    this.running = this.pass().catch(() => this.retryLater()).finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Sends everything that is due now; for tests and the demo. */
  async flush(): Promise<void> {
    this.kick();
    while (this.running) {
      await this.running;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  private async pass(): Promise<void> {
    // Every patient or staff write kicks the dispatcher, and almost none of them queued a mail: a
    // read (beside the writer on SQLite) says nothing is due without taking the write lock. When no
    // wake-up is set — the first kick after a start with retries pending, or a timer that fired a
    // moment before its mail was due — one is set from what is pending (a read too).
    if (!(await this.o.db.read((m) => anyDue(m, this.o.now()), { oneStatement: true }))) {
      if (!this.timer) {
        await this.scheduleNext();
      }
      return;
    }
    const due = await this.o.db.write((m) => claimDue(m, this.o.now(), this.o.leaseMs ?? DEFAULT_LEASE_MS));
    for (const mail of due) {
      if (this.closed) {
        // Not sent: released at once, so another instance need not wait for the lease.
        await this.o.db.write((m) => m.update(MailOutboxEntity, { id: mail.id, claimToken: mail.claimToken ?? '' }, { claimToken: null, claimedUntil: null }));
        continue;
      }
      await this.sendOne(mail);
    }
    if (due.length === BATCH) {
      this.again = true;
    }
    await this.scheduleNext();
  }

  /**
   * Right before sending, in one transaction: the mail is still ours (our claim, not taken over
   * after its lease ran out), still pending and still live (see liveness.ts). A mail no longer live
   * is cancelled with the reason and its secrets dropped.
   */
  private async claim(mail: MailOutboxRow): Promise<'send' | 'cancelled' | 'gone'> {
    return this.o.db.write(async (m) => {
      const now = this.o.now();
      // Written first, read after: the lease runs from now (a batch's later mails are not left to
      // another instance while the earlier ones were sent), and on SQLite a transaction that
      // writes first takes the file's write lock before it reads (a read-then-write transaction
      // fails at once when another process wrote in between).
      const renewed = await m.update(
        MailOutboxEntity,
        { id: mail.id, claimToken: mail.claimToken ?? '', status: 'pending' },
        { claimedUntil: new Date(now.getTime() + (this.o.leaseMs ?? DEFAULT_LEASE_MS)).toISOString() },
      );
      const current = renewed.affected === 0 ? null : await m.findOneBy(MailOutboxEntity, { id: mail.id });
      if (!current) {
        return 'gone';
      }
      const notLive = await whyNotLive(m, current, now);
      if (!notLive) {
        return 'send';
      }
      await m.update(MailOutboxEntity, { id: mail.id }, { status: 'cancelled', lastError: notLive.reason.slice(0, 200), payload: SCRUBBED, ...UNCLAIMED });
      if (notLive.undeliveredInvitation) {
        await updateSynced(this.writer(m, current.clinicId, now), 'invitation', notLive.undeliveredInvitation, {
          status: 'failed',
          statusChangedAt: now.toISOString(),
          lastError: "Not sent: the patient's email address changed after it was queued. Send a new invitation.",
          deliveryState: 'failed',
        }, { action: 'invitation.failed', detail: 'mail=cancelled address-changed' });
      }
      return 'cancelled';
    });
  }

  private writer(m: EntityManager, clinicId: string, at: Date): SyncedWriter {
    return { m, clinicId, actor: { kind: 'system', id: null }, at, clientId: null };
  }

  private async sendOne(mail: MailOutboxRow): Promise<void> {
    const claim = await this.claim(mail);
    if (claim !== 'send') {
      if (claim === 'cancelled') {
        this.o.onChange();
      }
      return;
    }
    let error: string | null = null;
    try {
      const clinic = await this.o.db.read((m) => m.findOneByOrFail(ClinicEntity, { id: mail.clinicId }));
      const rendered = render(mail.template, openMailPayload(this.o.secret, mail));
      const info = await this.transport.sendMail({
        from: { name: clinic.name, address: this.o.mailFrom },
        to: mail.recipient,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
      if (!this.o.smtpUrl) {
        mkdirSync(this.o.mailDir, { recursive: true });
        const stamp = this.o.now().toISOString().replace(/[:.]/g, '-');
        writeFileSync(join(this.o.mailDir, `${stamp}-${mail.id}.eml`), info.message as Buffer, { mode: 0o600 });
      }
    } catch (err) {
      error = err instanceof Error ? err.message.slice(0, 180) : 'unknown error';
    }
    await this.o.db.write(async (m) => {
      const now = this.o.now().toISOString();
      const tries = mail.tries + 1;
      if (error === null) {
        await m.update(MailOutboxEntity, { id: mail.id }, { status: 'sent', tries, sentAt: now, lastError: null, payload: SCRUBBED, ...UNCLAIMED });
      } else if (tries >= this.o.maxTries) {
        await m.update(MailOutboxEntity, { id: mail.id }, { status: 'failed', tries, lastError: error, payload: SCRUBBED, ...UNCLAIMED });
      } else {
        const next = new Date(this.o.now().getTime() + this.o.retryBaseMs * 2 ** (tries - 1)).toISOString();
        await m.update(MailOutboxEntity, { id: mail.id }, { tries, nextTryAt: next, lastError: error, ...UNCLAIMED });
        return;
      }
      if (mail.invitationId) {
        const inv = await m.findOneBy(InvitationEntity, { id: mail.invitationId });
        if (inv && inv.status === 'sent') {
          await this.recordDelivery(this.writer(m, mail.clinicId, this.o.now()), inv, error);
        }
      }
    });
    this.o.onChange();
  }

  /** The desk sees when an invitation went out, or that it could not be delivered. */
  private async recordDelivery(w: SyncedWriter, inv: InvitationRow, error: string | null): Promise<void> {
    const now = w.at.toISOString();
    if (error === null) {
      // Without SMTP the mail only reached a folder on this computer: the desk must not read "Sent".
      const deliveryState = this.o.smtpUrl ? 'emailed' : 'not_emailed_no_smtp';
      await updateSynced(w, 'invitation', inv, { sentAt: now, lastError: null, deliveryState }, { action: 'invitation.mailed', detail: `delivery=${deliveryState}` });
    } else {
      const lastError = `The email could not be delivered (${error}).`.slice(0, 200);
      await updateSynced(w, 'invitation', inv, { status: 'failed', statusChangedAt: now, lastError, deliveryState: 'failed' }, { action: 'invitation.failed', detail: 'mail=failed' });
    }
  }

  private retryLater(): void {
    if (!this.closed) {
      this.wakeIn(Math.max(1000, this.o.retryBaseMs));
    }
  }

  private async scheduleNext(): Promise<void> {
    this.wakeIn(null);
    if (this.closed) {
      return;
    }
    const wake = await this.o.db.read((m) => nextWake(m));
    if (wake !== null) {
      this.wakeIn(Math.max(0, new Date(wake).getTime() - this.o.now().getTime()));
    }
  }

  /** The one wake-up timer: `this.timer` is set exactly while one is waiting to fire (null: none). */
  private wakeIn(ms: number | null): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (ms === null) {
      return;
    }
    const timer = setTimeout(() => {
      if (this.timer === timer) {
        this.timer = undefined;
      }
      this.kick();
    }, Math.min(ms, 2 ** 31 - 1));
    timer.unref();
    this.timer = timer;
  }
}

const BATCH = 50;
/** How long a claim holds: an instance that dies while sending leaves its mails to others after this. */
const DEFAULT_LEASE_MS = 5 * 60_000;
const UNCLAIMED = { claimToken: null, claimedUntil: null };

/**
 * Claims up to BATCH due mails for this pass, oldest first, in one statement: they are pending,
 * due, and unclaimed or their claim's lease ran out. On PostgreSQL the rows are picked with
 * FOR UPDATE SKIP LOCKED, so instances claiming at once take different mails (a row another claim
 * has locked is skipped; one it has committed no longer matches). On SQLite the statement holds
 * the database's write lock from start to end — also across processes sharing one file.
 */
export async function claimDue(m: EntityManager, now: Date, leaseMs: number): Promise<MailOutboxRow[]> {
  const token = randomUUID();
  const at = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const pg = isPostgres(m);
  const p = (i: number) => (pg ? `$${i}` : '?');
  await m.query(
    `UPDATE "mail_outbox" SET "claimToken" = ${p(1)}, "claimedUntil" = ${p(2)}
     WHERE "id" IN (
       SELECT "id" FROM "mail_outbox" WHERE ${duePredicate(p(3))}
       ORDER BY "createdAt" LIMIT ${BATCH}${pg ? ' FOR UPDATE SKIP LOCKED' : ''}
     )`,
    pg ? [token, until, at] : [token, until, at, at],
  );
  return m.find(MailOutboxEntity, { where: { claimToken: token }, order: { createdAt: 'ASC' } });
}

const isPostgres = (m: EntityManager) => m.connection.driver.options.type === 'postgres';

/** A mail claimDue would take: pending, due, and unclaimed or its claim's lease ran out (`at`: the time's placeholder). */
const duePredicate = (at: string) => `"status" = 'pending' AND "nextTryAt" <= ${at} AND ("claimedUntil" IS NULL OR "claimedUntil" <= ${at})`;

/** Whether claimDue would find anything now (a read: no lock taken). */
export async function anyDue(m: EntityManager, now: Date): Promise<boolean> {
  const pg = isPostgres(m);
  const at = now.toISOString();
  const rows = (await m.query(`SELECT 1 AS "due" FROM "mail_outbox" WHERE ${duePredicate(pg ? '$1' : '?')} LIMIT 1`, pg ? [at] : [at, at])) as unknown[];
  return rows.length > 0;
}

/** When a pending mail next becomes ours to try: its next try, or the end of another instance's lease. */
async function nextWake(m: EntityManager): Promise<string | null> {
  const pending = await m.find(MailOutboxEntity, {
    select: { nextTryAt: true, claimedUntil: true },
    where: { status: 'pending' },
    order: { nextTryAt: 'ASC' },
    take: BATCH,
  });
  let wake: string | null = null;
  for (const mail of pending) {
    const at = mail.claimedUntil && mail.claimedUntil > mail.nextTryAt ? mail.claimedUntil : mail.nextTryAt;
    if (wake === null || at < wake) {
      wake = at;
    }
  }
  return wake;
}
