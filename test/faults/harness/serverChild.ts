/**
 * A portal server in its own process, for fault tests: FAULT_DATA_DIR (and FAULT_PORT on a
 * restart; FAULT_DATABASE_URL, FAULT_SECRET, FAULT_TRUST_PROXY and FAULT_PUBLIC_URL for instances sharing PostgreSQL); prints {url, port, mailDir} as one JSON line on stdout once it listens.
 * `killAfterWrites` makes it SIGKILL itself right after its Nth committed transaction from now.
 */
import { resolve } from 'node:path';
import type { EntityManager } from 'typeorm';
import { startPortalServer } from '../../../portal-server/server/index';
import { TEST_CLINIC } from '../../fixtures/portal';
import { die, serve } from './ipc';

async function main(): Promise<void> {
  const handle = await startPortalServer(
    {
      dataDir: process.env.FAULT_DATA_DIR ?? '',
      port: Number(process.env.FAULT_PORT ?? 0),
      host: '127.0.0.1',
      logRequests: false,
      mailRetryBaseMs: 20,
      mailLeaseMs: 5000,
      webDir: resolve('out/portal-web'),
      // Several instances on one PostgreSQL database (test/scaleout) share it, the secret and a proxy.
      databaseUrl: process.env.FAULT_DATABASE_URL || undefined,
      secret: process.env.FAULT_SECRET || undefined,
      trustProxy: process.env.FAULT_TRUST_PROXY || undefined,
      publicUrl: process.env.FAULT_PUBLIC_URL || undefined,
    },
    () => undefined,
  );
  if (!(await handle.isSetUp())) {
    await handle.setupClinic(TEST_CLINIC);
  }
  const db = handle.context.db;
  const write = db.write.bind(db);
  let writesLeft = 0;
  db.write = async <T>(fn: (m: EntityManager) => Promise<T>): Promise<T> => {
    const result = await write(fn);
    if (writesLeft > 0 && --writesLeft === 0) {
      die();
    }
    return result;
  };
  serve({
    killAfterWrites: async (n: number) => {
      writesLeft = n;
    },
    /** Rows of a read-only SQL query on the server's database. */
    sql: (query: string) => db.read((m) => m.query(query) as Promise<unknown>),
    flushMail: () => handle.flushMail(),
    /** Ends every open event stream, as a proxy or a restart would. */
    dropStreams: async () => {
      const streams = (handle.context.changes as unknown as { streams: Set<{ end(): void }> }).streams;
      const open = streams.size;
      for (const stream of streams) {
        stream.end();
      }
      return open;
    },
    streams: async () => handle.context.changes.size,
    stop: async () => {
      await handle.close();
      setImmediate(() => process.exit(0));
    },
  });
  process.stdout.write(`${JSON.stringify({ url: handle.url, port: handle.port, mailDir: handle.mailDir })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`server child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
