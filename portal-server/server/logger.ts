import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { HttpLogger } from 'pino-http';
import { databaseErrorCodes } from '../../shared/node/errorCodes';

export type { Logger } from 'pino';

/** The levels LOG_LEVEL accepts (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The server's structured log: one JSON object per line (time, level, msg, and for requests the
 * request id, method, path, status and duration). What never goes in: health information, query
 * strings, request or response bodies and headers (so no cookies, Authorization or tokens), SQL
 * text or parameters. Those are kept out by construction — the serializers below name the few
 * fields that are written — and `redact` censors the usual suspects should anything add them.
 */
export function createLogger(o: { level?: LogLevel; lines?: (line: string) => void } = {}): Logger {
  const destination: DestinationStream = o.lines ? lineStream(o.lines) : pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level: o.level ?? 'info',
      base: { service: 'clinic-portal' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: safeError, error: safeError },
      redact: {
        paths: ['req.headers', 'res.headers', 'headers', 'cookie', 'authorization', 'password', 'token', 'body', 'query', 'parameters', '*.password', '*.token', '*.body', '*.query', '*.parameters'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** A destination that hands each complete JSON line to `lines` (tests and the console read them there). */
function lineStream(lines: (line: string) => void): DestinationStream {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      let end = pending.indexOf('\n');
      while (end >= 0) {
        lines(pending.slice(0, end));
        pending = pending.slice(end + 1);
        end = pending.indexOf('\n');
      }
      done();
    },
  });
}

/**
 * An error as the log may show it: its type, a message and the stack, for IT on the server only
 * (clients get the plain JSON of middleware/errors.ts). A database driver's error carries the SQL
 * and its parameters, or a "Key (email)=(…)" detail: none of that is copied, and the message is
 * cut at the first line and stripped of quoted values.
 */
export function safeError(err: unknown): { type: string; message: string; code?: string; stack?: string } {
  if (!(err instanceof Error)) {
    return { type: typeof err, message: 'A value that is not an Error was thrown.' };
  }
  const message = scrub(err.message);
  const [code] = databaseErrorCodes(err);
  const stackFrames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).join('\n');
  return {
    type: err.name,
    message,
    ...(code !== undefined ? { code } : {}),
    ...(stackFrames ? { stack: stackFrames } : {}),
  };
}

/** The first line of a message (300 characters at most), with quoted values and a "Key (…)=(…)" detail replaced. */
function scrub(message: string): string {
  let first = (message.split('\n')[0] ?? '').slice(0, 300);
  const key = first.indexOf('Key (');
  if (key >= 0) {
    first = `${first.slice(0, key)}Key (…)`;
  }
  return first.replace(/'[^']*'/g, "'…'").replace(/"[^"]*"/g, '"…"');
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * One line per request (method, path without the query string, status, duration, request id).
 * A request id a trusted proxy sends (X-Request-Id, when TRUST_PROXY is set) is kept so the proxy's
 * log and ours line up; otherwise one is made. Either way it is echoed in the X-Request-Id header.
 */
export function requestLogger(logger: Logger, o: { trustProxyRequestId: boolean; autoLogging: boolean }): HttpLogger {
  return pinoHttp({
    logger,
    autoLogging: o.autoLogging,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = o.trustProxyRequestId && typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string; originalUrl?: string }) => ({ id: req.id, method: req.method, path: (req.originalUrl ?? req.url ?? '').split('?')[0] }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
      err: safeError,
    },
    wrapSerializers: false,
  });
}
