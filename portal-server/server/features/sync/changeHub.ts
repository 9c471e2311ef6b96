import type { Response } from 'express';
import type { EntityManager } from 'typeorm';
import type { Database } from '../../../../shared/node/db';
import { DeviceEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { SyncPoke } from '../../../../shared/sync/protocol';
import { requireClinic } from '../clinic/service';
import { readHead } from './changeLog';
import { readChanges } from './rows';

const HEARTBEAT_MS = 15_000;
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

  constructor(private readonly db: Database) {}

  add(res: Response, deviceId: string | null = null): void {
    if (this.closed) {
      res.end();
      return;
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

  get size(): number {
    return this.streams.size;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const stream of this.streams) {
      stream.end();
    }
    this.streams.clear();
  }
}
