import type { CreateStaffRequest } from '../../shared/api/types';
import type { StaffRole, StaffUserView } from '../../shared/domain/staff';
import { staffPasswordSchema, staffUserSchema } from '../../shared/validation/staff';
import type { StaffUserForm } from '../../shared/validation/staff';
import { validateOrThrow } from '../../shared/validation/validate';
import { object } from 'yup';
import { callOnline, requireAdmin } from './onlineCall';
import type { OnlineCallDeps } from './onlineCall';
import type { ServerRequest } from '../net/serverClient';

const passwordOnly = object({ password: staffPasswordSchema });

/** Staff accounts live only on the server: these calls need a connection. */
export class StaffAdminService {
  constructor(private readonly o: OnlineCallDeps) {}

  async list(): Promise<StaffUserView[]> {
    await this.admin();
    return this.call<StaffUserView[]>({ method: 'GET', path: '/api/staff/users' });
  }

  async create(form: StaffUserForm): Promise<StaffUserView> {
    await this.admin();
    const valid = validateOrThrow(staffUserSchema, form);
    const body: CreateStaffRequest = { username: valid.username, displayName: valid.displayName, role: valid.role as StaffRole, password: valid.password };
    return this.call<StaffUserView>({ method: 'POST', path: '/api/staff/users', body });
  }

  async setActive(staffUserId: string, active: boolean): Promise<StaffUserView> {
    await this.admin();
    return this.call<StaffUserView>({ method: 'PATCH', path: `/api/staff/users/${encodeURIComponent(staffUserId)}`, body: { active } });
  }

  async resetPassword(staffUserId: string, password: string): Promise<StaffUserView> {
    await this.admin();
    const valid = validateOrThrow(passwordOnly, { password });
    return this.call<StaffUserView>({ method: 'POST', path: `/api/staff/users/${encodeURIComponent(staffUserId)}/password`, body: { password: valid.password } });
  }

  /** Lost phone (issue 13): removes another person's second factor; the server audits it and refuses one's own. */
  async resetSecondFactor(staffUserId: string): Promise<void> {
    await this.admin();
    await this.call<undefined>({ method: 'POST', path: `/api/staff/users/${encodeURIComponent(staffUserId)}/second-factor/reset` });
  }

  /** Every staff-account channel is an administrator's (list, create, activate, reset a password): checked before the form. */
  private admin(): Promise<void> {
    return requireAdmin(this.o.session, 'Only a clinic administrator can manage staff accounts.');
  }

  private call<T>(req: Omit<ServerRequest, 'token'>): Promise<T> {
    return callOnline<T>(this.o, req, 'The clinic server is not reachable. Staff changes need a connection.');
  }
}
