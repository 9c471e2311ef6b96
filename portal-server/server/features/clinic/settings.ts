import type { ClinicView } from '../../../../shared/domain/clinic';
import { ClinicEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow } from '../../../../shared/node/entities/server';
import { clinicSettingsSchema } from '../../../../shared/validation/clinic';
import type { ClinicSettingsForm } from '../../../../shared/validation/clinic';
import { validateOrThrow } from '../../../../shared/validation/validate';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import type { StaffPrincipal } from '../staff/service';
import { requireRole } from '../staff/service';
import { clinicView, requireClinic } from './service';

const SETTINGS = Object.keys(clinicSettingsSchema.fields) as (keyof ClinicSettingsForm)[];

function settingsOf(c: ClinicRow): ClinicSettingsForm {
  return {
    name: c.name,
    phone: c.phone,
    address: c.address,
    timeZone: c.timeZone,
    passwordPolicy: c.passwordPolicy,
    invitationLifetimeDays: c.invitationLifetimeDays,
    appointmentCancelHours: c.appointmentCancelHours,
    staffTokenLifetimeDays: c.staffTokenLifetimeDays,
    staffTokenIdleDays: c.staffTokenIdleDays,
    messageRepliers: c.messageRepliers,
    secondFactorPolicy: c.secondFactorPolicy ?? 'off',
  };
}

/**
 * An admin changes the clinic's settings. A field left out keeps its value; the result is checked
 * whole with the console form's schema. They apply from the next use on: a new invitation's
 * lifetime, the next password a patient sets, the next online cancellation.
 */
export async function updateClinicSettings(ctx: ServerContext, p: StaffPrincipal, input: unknown, ip: string | null): Promise<ClinicView> {
  requireRole(p, ['admin']);
  const changes = typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {};
  return ctx.db.write(async (m) => {
    const clinic = await requireClinic(m);
    const form = validateOrThrow(clinicSettingsSchema, { ...settingsOf(clinic), ...changes });
    const current = settingsOf(clinic);
    const changed = SETTINGS.filter((field) => form[field] !== current[field]);
    if (changed.length === 0) {
      return clinicView(clinic);
    }
    const updatedAt = ctx.now().toISOString();
    await m.update(ClinicEntity, { id: clinic.id }, { ...form, updatedAt });
    // Field names only: the audit log says what kind of setting changed, not its old or new value.
    await audit(m, clinic.id, { kind: 'staff', id: p.staff.id, ip }, 'clinic.update', { type: 'clinic', id: clinic.id }, ctx.now(), `fields=${changed.join(',')}`);
    return clinicView({ ...clinic, ...form, updatedAt });
  });
}
