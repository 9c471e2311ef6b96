import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the console keeps its device token. Electron's safeStorage in the app; a 0600 file in Node. */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Secrets in a JSON file readable only by the current OS account (mode 0600). Used by tests and
 * development; the Electron app wraps the same file format with safeStorage encryption.
 * `encode`/`decode` let the Electron store encrypt each value.
 */
export class FileSecretStore implements SecretStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly fileName = 'secrets.json',
    private readonly codec: { encode(v: string): string; decode(v: string): string } = { encode: (v) => v, decode: (v) => v },
  ) {}

  get path(): string {
    return join(this.dir, this.fileName);
  }

  async get(key: string): Promise<string | null> {
    await this.chain.catch(() => undefined);
    const stored = (await this.readAll())[key];
    return stored === undefined ? null : this.codec.decode(stored);
  }

  set(key: string, value: string): Promise<void> {
    return this.update((all) => {
      all[key] = this.codec.encode(value);
    });
  }

  delete(key: string): Promise<void> {
    return this.update((all) => {
      delete all[key];
    });
  }

  private update(change: (all: Record<string, string>) => void): Promise<void> {
    const run = this.chain.then(async () => {
      const all = await this.readAll();
      change(all);
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      // Write a 0600 temp file and rename it over the old one, so a crash never leaves half a file.
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(all), { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async readAll(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return {};
      }
      throw err;
    }
  }
}

/** In-memory store, for tests that need no file. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  get(key: string): Promise<string | null> {
    return Promise.resolve(this.values.get(key) ?? null);
  }
  set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }
}
