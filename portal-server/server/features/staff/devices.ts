import { In } from 'typeorm';
import { DomainError } from '../../../../shared/api/errors';
import type { StaffDeviceView } from '../../../../shared/api/staffSecurity';
import { DeviceEntity, StaffUserEntity } from '../../../../shared/node/entities/server';
import type { DeviceRow, StaffUserRow } from '../../../../shared/node/entities/server';
import type { ServerContext } from '../../context';
import { audit } from '../audit/audit';
import { idParam } from '../patient-session/call';
import type { StaffPrincipal } from './service';
import { requireRole } from './service';

function deviceView(d: DeviceRow, staff: Map<string, StaffUserRow>): StaffDeviceView {
  return {
    id: d.id,
    name: d.name,
    staffUserId: d.staffUserId,
    staffName: staff.get(d.staffUserId)?.displayName ?? '',
    createdAt: d.createdAt,
    lastSeenAt: d.lastSeenAt,
    revokedAt: d.revokedAt,
  };
}

/** Every console that ever signed in to this clinic, most recently seen first (admin). */
export async function listDevices(ctx: ServerContext, p: StaffPrincipal): Promise<StaffDeviceView[]> {
  requireRole(p, ['admin']);
  return ctx.db.read(async (m) => {
    const devices = await m.find(DeviceEntity, { where: { clinicId: p.clinic.id }, order: { lastSeenAt: 'DESC', createdAt: 'DESC' } });
    const ids = [...new Set(devices.map((d) => d.staffUserId))];
    const staff = new Map((ids.length ? await m.findBy(StaffUserEntity, { id: In(ids) }) : []).map((s) => [s.id, s]));
    return devices.map((d) => deviceView(d, staff));
  });
}

/**
 * Revokes a console (admin): authenticateDevice refuses its token from the next request on, on
 * every instance, because the check reads the database each time. Revoking twice changes nothing.
 */
export async function revokeDevice(ctx: ServerContext, p: StaffPrincipal, idValue: unknown, ip: string | null): Promise<StaffDeviceView> {
  requireRole(p, ['admin']);
  const id = idParam(idValue, 'console');
  return ctx.db.write(async (m) => {
    const device = await m.findOneBy(DeviceEntity, { id, clinicId: p.clinic.id });
    if (!device) {
      throw new DomainError('not_found', 'We could not find that console.');
    }
    if (!device.revokedAt) {
      device.revokedAt = ctx.now().toISOString();
      await m.update(DeviceEntity, { id }, { revokedAt: device.revokedAt });
      await audit(m, p.clinic.id, { kind: 'staff', id: p.staff.id, ip }, 'staff.device_revoke', { type: 'device', id }, ctx.now(), `owner=${device.staffUserId}`);
    }
    const owner = await m.findOneBy(StaffUserEntity, { id: device.staffUserId });
    return deviceView(device, new Map(owner ? [[owner.id, owner]] : []));
  });
}
