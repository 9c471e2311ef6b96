import { describe, expect, it } from 'vitest';
import { formatLoadLine } from './loadLine';

describe('the load bench result line', () => {
  it('prints every measure in the agreed order, whole numbers and a two-decimal ratio', () => {
    expect(formatLoadLine({ sqliteRps: 412.6, pgRps: 380.2, twoRps: 655.9, ratioVsBare: 0.8349, p99Ms: 41.5, errors: 0 })).toBe(
      'load-bench: sqlite_rps=413 pg_rps=380 two_rps=656 ratio_vs_bare=0.83 p99_ms=42 errors=0',
    );
  });
  it('says "skipped" for a target that could not run, never a made-up number', () => {
    expect(formatLoadLine({ sqliteRps: 400, pgRps: null, twoRps: null, ratioVsBare: Number.NaN, p99Ms: null, errors: 3 })).toBe(
      'load-bench: sqlite_rps=400 pg_rps=skipped two_rps=skipped ratio_vs_bare=skipped p99_ms=skipped errors=3',
    );
  });
});
