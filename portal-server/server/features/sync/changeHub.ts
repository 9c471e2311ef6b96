import type { Response } from 'express';
import type { Database } from '../../../../shared/node/db';
import type { SyncPoke } from '../../../../shared/sync/protocol';
import { readHead } from './changeLog';

const HEARTBEAT_MS = 15_000;

/** Server-sent "new changes" pokes for connected consoles, with a heartbeat. */
export class ChangeHub {
  private readonly streams = new Set<Response>();
  private heartbeat: NodeJS.Timeout | undefined;
  private pending = false;
  private closed = false;

  constructor(private readonly db: Database) {}

  add(res: Response): void {
    if (this.closed) {
      res.end();
      return;
    }
    this.streams.add(res);
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

  /** Tells every stream the current head; coalesces bursts of commits into one read. */
  poke(): void {
    if (this.pending || this.streams.size === 0) {
      return;
    }
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.db
        .read(readHead)
        .then((poke) => {
          for (const stream of this.streams) {
            this.send(stream, poke);
          }
        })
        .catch(() => undefined);
    });
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
