import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the console keeps its device token. Electron's safeStorage in the app; a 0600 file in Node. */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** How each value is turned into what the file holds (the OS key store's encryption in the app). */
export interface SecretCodec {
  encode(value: string): string | Promise<string>;
  /** `reEncrypt`: the key store rotated its key; the value should be written again. */
  decode(stored: string): string | Promise<string | { value: string; reEncrypt: boolean }>;
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
    private readonly codec: SecretCodec = { encode: (v) => v, decode: (v) => v },
  ) {}

  get path(): string {
    return join(this.dir, this.fileName);
  }

  async get(key: string): Promise<string | null> {
    await this.chain.catch(() => undefined);
    const stored = (await this.readAll())[key];
    if (stored === undefined) {
      return null;
    }
    const decoded = await this.codec.decode(stored);
    if (typeof decoded === 'string') {
      return decoded;
    }
    if (decoded.reEncrypt) {
      // Written again under the key store's current key; a failure leaves the old, still readable value.
      await this.set(key, decoded.value).catch(() => undefined);
    }
    return decoded.value;
  }

  async set(key: string, value: string): Promise<void> {
    // Encrypted before the file is touched: a key store that refuses leaves the file as it was.
    const encoded = await this.codec.encode(value);
    return this.update((all) => {
      all[key] = encoded;
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
