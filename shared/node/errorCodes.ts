/**
 * The codes a database error carries, outermost first: its own, then those of the error it wraps
 * (TypeORM's QueryFailedError keeps the driver's in `driverError`, others in `cause`), a few
 * levels deep. node-postgres gives SQLSTATE ('40001'), sqlite3 'SQLITE_BUSY', Node 'ECONNREFUSED'.
 */
export function databaseErrorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      codes.push(code);
    }
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return codes;
}
