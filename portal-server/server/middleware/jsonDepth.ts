import type { IncomingMessage } from 'node:http';

/** No request the portal or the console sends comes near this; deeper JSON is refused before parsing. */
export const MAX_JSON_DEPTH = 20;
export const JSON_TOO_DEEP = 'entity.too.deep';

/**
 * The deepest nesting of objects and arrays in a JSON text, by one pass over its bytes (strings
 * and their escapes skipped). Runs before JSON.parse, so a hostile body is never built in memory.
 */
export function jsonDepth(text: Buffer | string, stopAbove = Infinity): number {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i += 1; // backslash: skip the escaped character
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) {
          return deepest;
        }
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return deepest;
}

/** express.json's `verify` hook: throws before parsing; the error handler answers 400. */
export function refuseDeepJson(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw Object.assign(new Error('JSON nested too deeply'), { type: JSON_TOO_DEEP, status: 400 });
  }
}
