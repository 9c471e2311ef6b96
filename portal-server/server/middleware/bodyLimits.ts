import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../../../shared/api/errors';
import { SESSION_COOKIE } from '../../../shared/api/types';
import { refuseDeepJson } from './jsonDepth';

/** Anything anyone may send (sign-in, registration, recovery, reset) fits in this many bytes many times over. */
export const PUBLIC_BODY_LIMIT_BYTES = 16 * 1024;
/** Signed-in callers: a sync push of many changes, a long message. */
export const SIGNED_IN_BODY_LIMIT_BYTES = 256 * 1024;

/** The decoded size of each parsed body, for `publicBody` to check afterwards. */
const bodyBytes = new WeakMap<IncomingMessage, number>();

function measureAndCheck(req: IncomingMessage, res: unknown, body: Buffer): void {
  bodyBytes.set(req, body.length);
  refuseDeepJson(req, res, body);
}

const parse = (limit: number): RequestHandler => express.json({ limit, strict: true, verify: measureAndCheck });
const smallJson = parse(PUBLIC_BODY_LIMIT_BYTES);
const largeJson = parse(SIGNED_IN_BODY_LIMIT_BYTES);

/** A request that names a credential (a bearer token or the session cookie); the route still checks it. */
function claimsCredential(req: Request): boolean {
  if ((req.get('authorization') ?? '').startsWith('Bearer ')) {
    return true;
  }
  return (req.get('cookie') ?? '').includes(`${SESSION_COOKIE}=`);
}

/**
 * JSON bodies: 16 kB for a caller with no credential, 256 kB for one that names one (limits count
 * decoded bytes, after any Content-Encoding). So every route anyone may call gets the small limit
 * by default, a new one included.
 */
export function jsonBody(): RequestHandler {
  return (req, res, next) => {
    if (claimsCredential(req)) {
      largeJson(req, res, next);
    } else {
      smallJson(req, res, next);
    }
  };
}

/**
 * First on every route that needs no sign-in: a caller who sent a made-up cookie or token to get
 * the signed-in limit is held to the small one before anything else runs.
 */
export function publicBody(req: Request, _res: Response, next: NextFunction): void {
  if ((bodyBytes.get(req) ?? 0) > PUBLIC_BODY_LIMIT_BYTES) {
    next(new DomainError('payload_too_large', 'The request is too large.'));
    return;
  }
  next();
}
