import { DomainError } from '../shared/api/errors';
import type { AppStatus, IpcEvent, IpcEvents } from '../shared/ipc/contract';
import type { ConsoleConfig } from './consoleConfig';
import type { ConsoleCore, ConsoleCoreOptions } from './core';
import type { IpcRegistry } from './ipc/registry';
import { callServer } from './net/serverClient';
import { fetchFor } from './net/serverIdentity';
import type { JoinedServer } from './services/serverConnection';

/** The core's options that name its server; the others (data folder, secret store, log…) stay when it moves. */
export type ServerOptions = Pick<ConsoleCoreOptions, 'serverUrl' | 'fetch' | 'deviceName' | 'host' | 'hostedBackup'>;

export interface ConsoleHolderOptions {
  /** Makes a core with these server options: index.ts and the test harness add the ones that never change. */
  open(o: ServerOptions & Required<Pick<ConsoleCoreOptions, 'switchServer'>>): Promise<ConsoleCore>;
  /** The first core's server. */
  first: ServerOptions;
  /** After the old core closed, before the new one opens: index.ts stops hosting the portal here. */
  beforeSwitch?(config: ConsoleConfig): Promise<void>;
  log?: (line: string) => void;
}

interface Subscription {
  /** Listens to a core's registry; returns how to stop. */
  attach: (core: ConsoleCore) => () => void;
  off: () => void;
}

/**
 * Owns the console's current core (issue 16): when a desk joins a clinic's server, the core of the
 * old server is closed and one for the new server — through its pinned certificate — takes its
 * place, signed in, without restarting the console. Electron's IPC and the test bridge talk to
 * `registry`, which always reaches the current core; events follow it to the new one.
 */
export class ConsoleHolder {
  private core!: ConsoleCore;
  /** Set while the core is being replaced: requests wait for the new one. */
  private switching: Promise<unknown> | null = null;
  private readonly subscriptions = new Set<Subscription>();
  private readonly switchServer = (joined: JoinedServer): Promise<AppStatus> => this.switchTo(joined);
  /** Set when a switch failed half-way (the old core closed, no new one): every request gets this instead of a dead core. */
  private broken: DomainError | null = null;

  readonly registry: IpcRegistry = {
    invoke: async (channel, args) => {
      await this.switching;
      if (this.broken) {
        return { ok: false, error: this.broken.toBody() };
      }
      return this.core.registry.invoke(channel, args);
    },
    on: <E extends IpcEvent>(event: E, listener: (payload: IpcEvents[E]) => void) => {
      const attach = (core: ConsoleCore) => core.registry.on(event, listener);
      const sub: Subscription = { attach, off: attach(this.core) };
      this.subscriptions.add(sub);
      return () => {
        sub.off();
        this.subscriptions.delete(sub);
      };
    },
  };

  private constructor(private readonly o: ConsoleHolderOptions) {}

  static async open(o: ConsoleHolderOptions): Promise<ConsoleHolder> {
    const holder = new ConsoleHolder(o);
    holder.core = await o.open({ ...o.first, switchServer: holder.switchServer });
    return holder;
  }

  /** The core in use now (it changes when the desk joins another server). */
  get current(): ConsoleCore {
    return this.core;
  }

  private async switchTo(joined: JoinedServer): Promise<AppStatus> {
    const replaced = this.replace(joined);
    this.switching = replaced.catch(() => undefined);
    try {
      return await replaced;
    } finally {
      this.switching = null;
    }
  }

  private async replace({ config, signIn, password }: JoinedServer): Promise<AppStatus> {
    let next: ConsoleCore;
    try {
      await this.core.close();
      await this.o.beforeSwitch?.(config);
      next = await this.o.open({
        serverUrl: config.serverUrl,
        // The new server's self-signed certificate is the only one accepted, as on every later start.
        fetch: fetchFor(config.pinnedCertificate ?? null),
        deviceName: config.deviceName ?? this.o.first.deviceName,
        host: null,
        hostedBackup: null,
        switchServer: this.switchServer,
      });
    } catch (err) {
      // console.json already names the new server: the next start opens it. The sign-in made for
      // this switch is kept nowhere, so it must not stay valid there; and the old core is closed
      // (or half so), so nothing more is asked of it.
      this.o.log?.(`[console] opening the joined server failed: ${err instanceof Error ? err.name : typeof err}`);
      await revokeJoined(config, signIn.token);
      this.broken = new DomainError('internal', 'This computer is now connected to the clinic\'s server, but the console could not switch to it. Close the console and open it again (restart the console), then sign in.');
      throw this.broken;
    }
    this.core = next;
    for (const sub of this.subscriptions) {
      sub.off();
      sub.off = sub.attach(next);
    }
    try {
      await next.services.auth.adopt(signIn, password);
    } catch (err) {
      // Joined but not signed in: the person lands on the new server's sign-in screen — not shown
      // as signed in with a token the server no longer takes.
      this.o.log?.(`[console] the sign-in on the joined server could not be kept here: ${err instanceof Error ? err.name : typeof err}`);
      await next.session.forget().catch(() => undefined);
      await next.services.auth.revokeOnServer(signIn.token);
    }
    const status = await next.services.auth.status();
    next.events.emit('app.status', status);
    // Recovery codes of a second factor set up while joining are shown once, signed in or not.
    return signIn.recoveryCodes ? { ...status, recoveryCodes: signIn.recoveryCodes } : status;
  }

  async close(): Promise<void> {
    await this.switching;
    for (const sub of this.subscriptions) {
      sub.off();
    }
    this.subscriptions.clear();
    await this.core.close();
  }
}

/** Best effort, through the new server's pin: offline or already revoked, there is nothing more to do. */
async function revokeJoined(config: ConsoleConfig, token: string): Promise<void> {
  try {
    await callServer(fetchFor(config.pinnedCertificate ?? null), config.serverUrl, { method: 'POST', path: '/api/staff/sign-out', token, timeoutMs: 3000 });
  } catch {
    // The token is kept nowhere on this computer.
  }
}
