import { createHash } from 'node:crypto';
import type { Mutation } from '../../../../shared/sync/protocol';

/** JSON with every object's keys sorted, recursively: the same intent gives the same text whatever order its keys came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((v: unknown) => canonicalJson(v ?? null)).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * What a mutation asks for — its name, args version and arguments, not its seq, clock or author —
 * as a sha256 hex digest. A retry carries the same intent; a replica restored from an old copy (or
 * cloned) sends another intent under a seq the server has already used.
 */
export function intentHash(mu: Pick<Mutation, 'name' | 'argsVersion' | 'args'>): string {
  return createHash('sha256').update(canonicalJson({ name: mu.name, argsVersion: mu.argsVersion, args: mu.args })).digest('hex');
}
