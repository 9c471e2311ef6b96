import type { Response } from 'express';
import type { EntityManager } from 'typeorm';
import { notify } from '../../../../shared/node/db';
import type { Database } from '../../../../shared/node/db';
import { DeviceEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { SyncPoke } from '../../../../shared/sync/protocol';
import { requireClinic } from '../clinic/service';
import { CHANGES_TOPIC, readHead } from './changeLog';
import { readChanges } from './rows';

const HEARTBEAT_MS = 15_000;
/** Open event streams one console may hold; a new one beyond this ends its oldest (a console needs one). */
export const MAX_STREAMS_PER_DEVICE = 3;
/** The cross-instance event for "a console was signed out, revoked, or its person deactivated". */
const DEVICES_TOPIC = 'devices';
/** A poke carries the changes since the previous one when there are at most this many log entries. */
const POKE_PAGE_MAX = 100;

/** Consoles whose device is still signed in and whose staff member is still active (one query). */
async function liveDevices(m: EntityManager, deviceIds: string[]): Promise<Set<string>> {
  const rows = await m
    .createQueryBuilder(DeviceEntity, 'd')
    .innerJoin(StaffUserEntity.options.name, 's', 's.id = d.staffUserId AND s.active = :active', { active: true })
    .select('d.id', 'id')
    .where('d.id IN (:...ids)', { ids: deviceIds })
    .andWhere('d.revokedAt IS NULL')
    .getRawMany<{ id: string }>();
  return new Set(rows.map((r) => r.id));
}

/**
 * Server-sent "new changes" pokes for connected consoles, with a heartbeat. When few changes came
 * since the previous poke, the poke carries them (SyncPoke.page), so a console that is up to date
 * shows them without a pull round trip — only to consoles whose device is still signed in.
 */
export class ChangeHub {
  private readonly streams = new Set<Response>();
  /** The device each stream was opened by. */
  private readonly deviceOf = new WeakMap<Response, string>();
  private heartbeat: NodeJS.Timeout | undefined;
  private pending = false;
  private again = false;
  private closed = false;
  /** The head the last poke announced: the next poke's changes start there. */
  private announced: { epoch: string; head: number } | null = null;
  private clinicId: string | null = null;

  private readonly unsubscribe: () => void;

  /**
   * Commits on other instances reach this one's streams through the database's events (PostgreSQL
   * LISTEN/NOTIFY; the change log's writes publish them): each poke is read here, from the database.
   */
  constructor(private readonly db: Database) {
    this.unsubscribe = db.onEvent((topic) => {
      if (topic === CHANGES_TOPIC || topic === '*') {
        this.poke();
      }
      if (topic === DEVICES_TOPIC || topic === '*') {
        this.dropRevoked();
      }
    });
  }

  add(res: Response, deviceId: string | null = null): void {
    if (this.closed) {
      res.end();
      return;
    }
    if (deviceId) {
      const own = [...this.streams].filter((s) => this.deviceOf.get(s) === deviceId);
      for (const old of own.slice(0, Math.max(0, own.length - MAX_STREAMS_PER_DEVICE + 1))) {
        this.streams.delete(old);
        old.end();
      }
    }
    this.streams.add(res);
    if (deviceId) {
      this.deviceOf.set(res, deviceId);
    }
    res.on('close', () => this.streams.delete(res));
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => {
        for (const stream of this.streams) {
          stream.write(': heartbeat\n\n');
        }
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  send(res: Response, poke: SyncPoke): void {
    res.write(`event: poke\ndata: ${JSON.stringify(poke)}\n\n`);
  }

  /**
   * Tells every stream the current head. The read is queued at once (ahead of what the request
   * that committed does next); commits while it waits are coalesced into one more read after it.
   */
  poke(): void {
    if (this.streams.size === 0) {
      return;
    }
    if (this.pending) {
      this.again = true;
      return;
    }
    this.pending = true;
    this.db
      .read((m) => this.readPoke(m))
      .then(({ poke, page, allowed }) => {
        for (const stream of this.streams) {
          const deviceId = this.deviceOf.get(stream);
          this.send(stream, page && deviceId && allowed.has(deviceId) ? { ...poke, page } : poke);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this.pending = false;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async readPoke(m: EntityManager): Promise<{ poke: SyncPoke; page: SyncPoke['page']; allowed: Set<string> }> {
    const poke = await readHead(m);
    const before = this.announced;
    // Set here, inside the read: the next poke's read (queued behind this one) starts from it.
    this.announced = poke;
    const deviceIds = [...this.streams].map((s) => this.deviceOf.get(s)).filter((id): id is string => id !== undefined);
    if (!before || before.epoch !== poke.epoch || poke.head <= before.head || poke.head - before.head > POKE_PAGE_MAX || deviceIds.length === 0) {
      return { poke, page: undefined, allowed: new Set() };
    }
    this.clinicId ??= (await requireClinic(m)).id;
    const { changes, last, fromCheck, lastCheck } = await readChanges(m, this.clinicId, before.head, POKE_PAGE_MAX);
    const page = { from: before.head, ...(fromCheck ? { fromCheck } : {}), changes, cursor: { epoch: poke.epoch, seq: last, ...(lastCheck ? { check: lastCheck } : {}) } };
    return { poke, page, allowed: await liveDevices(m, deviceIds) };
  }

  /**
   * A console was signed out or revoked, or its person deactivated (call after the commit): its open
   * streams end now, on this instance and on every other one.
   */
  devicesChanged(): void {
    this.dropRevoked();
    void this.db.read((m) => notify(m, DEVICES_TOPIC)).catch(() => undefined);
  }

  /** Ends the streams of consoles no longer signed in. */
  private dropRevoked(): void {
    const deviceIds = [...new Set([...this.streams].map((s) => this.deviceOf.get(s)).filter((id): id is string => id !== undefined))];
    if (deviceIds.length === 0) {
      return;
    }
    void this.db
      .read((m) => liveDevices(m, deviceIds))
      .then((live) => {
        for (const stream of this.streams) {
          const deviceId = this.deviceOf.get(stream);
          if (deviceId && !live.has(deviceId)) {
            this.streams.delete(stream);
            stream.end();
          }
        }
      })
      .catch(() => undefined);
  }

  get size(): number {
    return this.streams.size;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const stream of this.streams) {
      stream.end();
    }
    this.streams.clear();
  }
}
