/** `npm run backup` and `npm run restore <file>`: the command-line face of backup.ts. */
import { join, resolve } from 'node:path';
import type { PortalConfig } from '../../config';
import { BackupError, DEFAULT_KEEP_DAYS, backupDatabase, restoreDatabase } from './backup';

/** BACKUP_DIR, default DATA_DIR/backups. */
export function backupDirOf(config: PortalConfig, env: NodeJS.ProcessEnv): string {
  return env.BACKUP_DIR ? resolve(env.BACKUP_DIR) : join(config.dataDir, 'backups');
}

export function keepDaysOf(env: NodeJS.ProcessEnv): number {
  const text = env.BACKUP_KEEP_DAYS;
  if (text === undefined || text === '') {
    return DEFAULT_KEEP_DAYS;
  }
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new BackupError(`BACKUP_KEEP_DAYS must be a whole number of days above 0, not "${text}".`);
  }
  return Number(text);
}

const POSTGRES = 'This portal uses PostgreSQL (DATABASE_URL): back it up with pg_dump and restore with pg_restore (docs/deploy.md "Backups").';

export async function backupCommand(config: PortalConfig, env: NodeJS.ProcessEnv, print: (line: string) => void = console.log): Promise<number> {
  if (config.databaseUrl) {
    print(POSTGRES);
    return 1;
  }
  try {
    const result = await backupDatabase({ dataDir: config.dataDir, backupDir: backupDirOf(config, env), keepDays: keepDaysOf(env) });
    print(`Backup written and checked: ${result.file} (${result.bytes} bytes)`);
    print(`  integrity ok; ${result.migrations.length} migrations; rows: ${Object.entries(result.rows).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    print(result.pruned.length ? `  removed backups older than ${keepDaysOf(env)} days: ${result.pruned.join(', ')}` : `  no backup older than ${keepDaysOf(env)} days to remove`);
    print('  The secret (DATA_DIR/secret or SECRET) is not in the backup: keep your own copy of it apart (docs/deploy.md "Backups").');
    return 0;
  } catch (err) {
    if (err instanceof BackupError) {
      print(`Backup failed: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export async function restoreCommand(config: PortalConfig, args: string[], print: (line: string) => void = console.log): Promise<number> {
  if (config.databaseUrl) {
    print(POSTGRES);
    return 1;
  }
  const file = args[0];
  if (!file || args.length !== 1) {
    print('Name one backup file: npm run restore -- /path/to/portal-YYYYMMDD-HHMMSSZ.sqlite');
    return 1;
  }
  try {
    const result = await restoreDatabase({ dataDir: config.dataDir, file: resolve(file) });
    print(`Restored ${result.restoredFrom} into ${result.database}`);
    print(`  integrity ok; ${result.migrations.length} migrations (newer ones run when the server starts); rows: ${Object.entries(result.rows).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    print(result.keptAside ? `  the database it replaced is kept at ${result.keptAside}` : '  there was no database to replace');
    print('  The server needs the same secret as when the backup was made (DATA_DIR/secret or SECRET). Start it again; consoles resend what the backup lacks.');
    return 0;
  } catch (err) {
    if (err instanceof BackupError) {
      print(`Restore refused, nothing was changed: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
