/** The load bench's pieces that need no server: its settings and its result line. */

/** What the bench sets so that load from one machine is not mistaken for an attack (printed with the results). */
export const BENCH_LIMITS = { PATIENT_WRITES_PER_HOUR: '0', TRUST_PROXY: 'loopback', LOG_REQUESTS: '0', LOG_LEVEL: 'warn' } as const;

export interface LoadResult {
  sqliteRps: number;
  /** null: the target was skipped (no PostgreSQL or nginx here). */
  pgRps: number | null;
  twoRps: number | null;
  ratioVsBare: number | null;
  p99Ms: number | null;
  errors: number;
}

const whole = (n: number | null): string => (n === null || !Number.isFinite(n) ? 'skipped' : String(Math.round(n)));

/** `load-bench: sqlite_rps=<n> pg_rps=<n> two_rps=<n> ratio_vs_bare=<x> p99_ms=<n> errors=<n>` */
export function formatLoadLine(r: LoadResult): string {
  const ratio = r.ratioVsBare === null || !Number.isFinite(r.ratioVsBare) ? 'skipped' : r.ratioVsBare.toFixed(2);
  return `load-bench: sqlite_rps=${whole(r.sqliteRps)} pg_rps=${whole(r.pgRps)} two_rps=${whole(r.twoRps)} ratio_vs_bare=${ratio} p99_ms=${whole(r.p99Ms)} errors=${r.errors}`;
}

/** The value below which a fraction `q` of `values` lies (nearest rank; 0 for none). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
