import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../../shared/api/errors';
import type { ServerContext } from '../context';
import type { StaffPrincipal } from '../features/staff/service';
import { authenticateDevice } from '../features/staff/service';

/** Bearer device token → the staff member; revoked consoles are refused at once. */
export function requireStaff(ctx: ServerContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
    const principal = match?.[1] ? await authenticateDevice(ctx, match[1]) : null;
    if (!principal) {
      throw new DomainError('not_signed_in', 'This console is not signed in, or its access was revoked. Sign in again.');
    }
    res.locals.staff = principal;
    next();
  };
}

export function principalOf(res: Response): StaffPrincipal {
  return res.locals.staff as StaffPrincipal;
}
