import { Router } from 'express';
import type { ServerContext } from '../../context';
import { principalOf, requireStaff } from '../../middleware/staffAuth';
import { publicBody } from '../../middleware/bodyLimits';
import { rateLimit } from '../../middleware/rateLimit';
import { clinicView } from '../clinic/service';
import { listDevices, revokeDevice } from './devices';
import { confirmOwnEnrolment, listTrustedComputers, renewOwnRecoveryCodes, resetStaffFactor, revokeTrustedComputer, staffFactorStatus, startOwnEnrolment } from '../second-factor/staffFactor';
import { createStaff, listStaff, resetStaffPassword, setStaffActive, staffEnrolmentAtSignIn, staffSignIn, staffSignOut, staffView } from './service';

/** Routes that sign consoles out end those consoles' event streams right after (ChangeHub.devicesChanged). */
export function staffRoutes(ctx: ServerContext): Router {
  const router = Router();
  const auth = requireStaff(ctx);
  router.post('/api/staff/sign-in', publicBody, rateLimit({ windowMs: 10 * 60_000, max: 30, auditAs: 'staff.sign_in_failed' }), async (req, res) => {
    res.json(await staffSignIn(ctx, req.body, req.ip ?? null));
  });
  // Shares the sign-in's bucket: checking a password here is no second door for guessing.
  router.post('/api/staff/sign-in/enrolment', publicBody, rateLimit({ windowMs: 10 * 60_000, max: 30, bucket: 'POST /api/staff/sign-in', auditAs: 'staff.sign_in_failed' }), async (req, res) => {
    res.json(await staffEnrolmentAtSignIn(ctx, req.body, req.ip ?? null));
  });
  router.get('/api/staff/second-factor', auth, async (_req, res) => {
    const p = principalOf(res);
    res.json(await staffFactorStatus(ctx, p.staff, p.clinic));
  });
  router.post('/api/staff/second-factor/enrolment', auth, async (_req, res) => {
    const p = principalOf(res);
    res.json(await startOwnEnrolment(ctx, p.staff, p.clinic));
  });
  router.post('/api/staff/second-factor/confirm', auth, async (req, res) => {
    res.json(await confirmOwnEnrolment(ctx, principalOf(res).staff, ((req.body ?? {}) as { code?: unknown }).code, req.ip ?? null));
  });
  router.post('/api/staff/second-factor/recovery-codes', auth, async (req, res) => {
    res.json(await renewOwnRecoveryCodes(ctx, principalOf(res).staff, ((req.body ?? {}) as { code?: unknown }).code, req.ip ?? null));
  });
  router.post('/api/staff/users/:id/second-factor/reset', auth, async (req, res) => {
    await resetStaffFactor(ctx, principalOf(res).staff, String(req.params.id), req.ip ?? null);
    res.status(204).end();
  });
  router.get('/api/staff/trusted-computers', auth, async (_req, res) => {
    res.json(await listTrustedComputers(ctx, principalOf(res).staff));
  });
  router.post('/api/staff/trusted-computers/:id/revoke', auth, async (req, res) => {
    await revokeTrustedComputer(ctx, principalOf(res).staff, String(req.params.id), req.ip ?? null);
    res.status(204).end();
  });
  router.post('/api/staff/sign-out', auth, async (_req, res) => {
    await staffSignOut(ctx, principalOf(res));
    ctx.changes.devicesChanged();
    res.status(204).end();
  });
  router.get('/api/staff/me', auth, (_req, res) => {
    const p = principalOf(res);
    res.json({ staff: staffView(p.staff), clinic: clinicView(p.clinic) });
  });
  router.get('/api/staff/users', auth, async (_req, res) => {
    res.json(await listStaff(ctx, principalOf(res)));
  });
  router.post('/api/staff/users', auth, async (req, res) => {
    res.status(201).json(await createStaff(ctx, principalOf(res), req.body, req.ip ?? null));
  });
  router.patch('/api/staff/users/:id', auth, async (req, res) => {
    const view = await setStaffActive(ctx, principalOf(res), String(req.params.id), ((req.body ?? {}) as { active?: unknown }).active, req.ip ?? null);
    ctx.changes.devicesChanged();
    res.json(view);
  });
  router.post('/api/staff/users/:id/password', auth, async (req, res) => {
    const view = await resetStaffPassword(ctx, principalOf(res), String(req.params.id), ((req.body ?? {}) as { password?: unknown }).password, req.ip ?? null);
    ctx.changes.devicesChanged();
    res.json(view);
  });
  router.get('/api/staff/devices', auth, async (_req, res) => {
    res.json(await listDevices(ctx, principalOf(res)));
  });
  router.post('/api/staff/devices/:id/revoke', auth, async (req, res) => {
    const view = await revokeDevice(ctx, principalOf(res), req.params.id, req.ip ?? null);
    ctx.changes.devicesChanged();
    res.json(view);
  });
  return router;
}
