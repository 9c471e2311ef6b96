/**
 * The 100,000-record console, in its own process so its memory is the console's alone: pulls
 * everything once, then on request pulls the new changes and reports the time and its RSS.
 */
import { performance } from 'node:perf_hooks';
import { countRows, firstSync, openConsole } from './ourConsole';

async function main(): Promise<void> {
  const [url, username, password] = process.argv.slice(2) as [string, string, string];
  const bench = await openConsole(url, username, password);
  const { core } = bench;
  process.on('disconnect', () => void bench.dispose().finally(() => process.exit(0)));
  process.on('message', (msg: { id: number; op: string }) => {
    const work = async (): Promise<unknown> => {
      if (msg.op === 'initial') {
        const t0 = performance.now();
        await firstSync(core);
        return { ms: performance.now() - t0, rows: await countRows(core, 'appointment'), rssMb: process.memoryUsage().rss / 2 ** 20 };
      }
      if (msg.op === 'pull') {
        const before = await countRows(core, 'appointment');
        const t0 = performance.now();
        await core.engine.syncNow();
        const ms = performance.now() - t0;
        return { ms, added: (await countRows(core, 'appointment')) - before, rssMb: process.memoryUsage().rss / 2 ** 20 };
      }
      await bench.dispose();
      return true;
    };
    work().then(
      (result) => process.send?.({ id: msg.id, result }, () => msg.op === 'stop' && process.exit(0)),
      (err: unknown) => process.send?.({ id: msg.id, error: String(err instanceof Error ? err.stack : err) }),
    );
  });
  process.send?.({ ready: url });
}

void main();
