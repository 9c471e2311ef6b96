import { Router } from 'express';
import type { ServerContext } from '../../context';
import { principalOf, requireStaff } from '../../middleware/staffAuth';
import { printInvitationLetter } from './service';

/** POST /api/staff/patients/:patientId/invitation-letter (desk roles) → 201 application/pdf, a new Registration ID inside. */
export function letterRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/staff/patients/:patientId/invitation-letter', requireStaff(ctx), async (req, res) => {
    const { pdf, invitationId } = await printInvitationLetter(ctx, principalOf(res), req.params.patientId, req.ip ?? null);
    res
      .status(201)
      .set({ 'content-type': 'application/pdf', 'cache-control': 'no-store', 'x-invitation-id': invitationId, 'content-disposition': 'attachment; filename="invitation-letter.pdf"' })
      .send(pdf);
  });
  return router;
}
