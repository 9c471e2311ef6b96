import type { SyncPoke } from '../../shared/sync/protocol';
import type { FetchLike } from './serverClient';
import { joinUrl, serverHeaders } from './serverClient';
import type { Backoff } from './backoff';
import { readServerSentEvents } from './sse';

export interface EventStreamOptions {
  serverUrl: string;
  fetch: FetchLike;
  token(): Promise<string | null>;
  backoff: Backoff;
  /** Reconnect when the stream has been silent this long (the server sends heartbeats). */
  silenceTimeoutMs: number;
  /** Connected (or refused, e.g. 401/426): a good moment to sync, which reports any refusal. */
  onConnect(): void;
  /** The server did not answer at all. */
  onUnreachable(): void;
  onPoke(poke: SyncPoke): void;
}

/** GET /api/sync/events, kept open with reconnects and back-off until stopped. */
export class EventStream {
  private running = false;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly o: EventStreamOptions) {}

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop?.catch(() => undefined);
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const token = await this.o.token();
      if (!token) {
        return;
      }
      await this.connectOnce(token);
      if (this.running) {
        await this.sleep(this.o.backoff.next());
      }
    }
  }

  private async connectOnce(token: string): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    let watchdog: NodeJS.Timeout | undefined;
    const feed = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(), this.o.silenceTimeoutMs);
      watchdog.unref();
    };
    let answered = false;
    try {
      feed();
      const res = await this.o.fetch(joinUrl(this.o.serverUrl, '/api/sync/events'), {
        headers: { ...serverHeaders(token, true, false), accept: 'text/event-stream' },
        signal: abort.signal,
      });
      answered = true;
      this.o.onConnect();
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        return;
      }
      this.o.backoff.reset();
      await readServerSentEvents(res.body, (event) => this.dispatch(event.event, event.data), feed);
    } catch {
      if (this.running && !answered) {
        this.o.onUnreachable();
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  private dispatch(event: string, data: string): void {
    if (event !== 'poke') {
      return;
    }
    try {
      this.o.onPoke(JSON.parse(data) as SyncPoke);
    } catch {
      // A malformed poke is ignored; the safety timer still syncs.
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }
}
