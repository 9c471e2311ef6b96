/** What every fault-test file sets up: a server process with staff, and console processes cleaned up after each test. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TEST_CLINIC, addStaff, signInStaff } from '../../fixtures/portal';
import { ConsoleProcess, ServerProcess, killAllChildren, tempDir } from './processes';

export interface FaultSuite {
  readonly server: ServerProcess;
  readonly adminToken: string;
  /** Username → device token of the staff members made in beforeAll (password Staff2Work). */
  readonly tokens: Map<string, string>;
  /**
   * A console process, killed after the test: on a new temp folder (removed after the file), or
   * on `dataDir` when given (a replica that outlives one process).
   */
  openConsole(options?: ConstructorParameters<typeof ConsoleProcess>[2], dataDir?: string): Promise<ConsoleProcess>;
  /** A temp folder removed after the file. */
  tempDir(prefix: string): string;
}

/** Registers the hooks; read the suite's fields inside tests (they are set in beforeAll). */
export function useFaultServer(prefix: string, staff: { username: string; role: 'receptionist' | 'physician' }[]): FaultSuite {
  const dirs: { remove(): void }[] = [];
  const consoles: ConsoleProcess[] = [];
  const tokens = new Map<string, string>();
  let server: ServerProcess | null = null;
  let adminToken = '';
  const makeDir = (p: string): string => {
    const dir = tempDir(p);
    dirs.push(dir);
    return dir.path;
  };

  beforeAll(async () => {
    server = await new ServerProcess(makeDir(prefix)).start();
    adminToken = (await signInStaff(server.url, TEST_CLINIC.adminUsername, TEST_CLINIC.adminPassword)).token;
    for (const { username, role } of staff) {
      tokens.set(username, await addStaff(server.url, adminToken, username, role, 'Staff2Work'));
    }
  }, 60_000);
  afterEach(async () => {
    await Promise.all(consoles.splice(0).map((c) => c.child.kill()));
  });
  afterAll(async () => {
    await server?.stop();
    await killAllChildren();
    dirs.forEach((d) => d.remove());
  });

  return {
    get server() {
      if (!server) {
        throw new Error('The fault server starts in beforeAll.');
      }
      return server;
    },
    get adminToken() {
      return adminToken;
    },
    tokens,
    async openConsole(options = {}, dataDir) {
      const c = await new ConsoleProcess(dataDir ?? makeDir('fault-console-'), this.server.url, options).start();
      consoles.push(c);
      return c;
    },
    tempDir: makeDir,
  };
}
