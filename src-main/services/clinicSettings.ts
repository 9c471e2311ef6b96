import type { ClinicView } from '../../shared/domain/clinic';
import type { AppStatus } from '../../shared/ipc/contract';
import { clinicSettingsSchema } from '../../shared/validation/clinic';
import type { ClinicSettingsForm } from '../../shared/validation/clinic';
import { validateOrThrow } from '../../shared/validation/validate';
import { callOnline, requireAdmin } from './onlineCall';
import type { OnlineCallDeps } from './onlineCall';

export interface ClinicSettingsDeps extends OnlineCallDeps {
  /** What the console shows after the change (AuthService.status). */
  status(): Promise<AppStatus>;
}

const SETTINGS = Object.keys(clinicSettingsSchema.fields) as (keyof ClinicSettingsForm)[];

/** The clinic's settings live on the server: changing them needs a connection, like staff accounts. */
export class ClinicSettingsService {
  constructor(private readonly o: ClinicSettingsDeps) {}

  async update(form: ClinicSettingsForm): Promise<AppStatus> {
    await requireAdmin(this.o.session, 'Only a clinic administrator can change the clinic settings.');
    const { clinic: known, staff } = await this.o.session.requireSignedIn();
    const valid = validateOrThrow(clinicSettingsSchema, form);
    // Only what this admin changed is sent: the console's copy of the clinic may be older than the
    // server's, and another admin's change to a field left alone here must not be undone.
    const changes: Partial<ClinicSettingsForm> = {};
    for (const field of SETTINGS) {
      if (valid[field] !== known[field]) {
        Object.assign(changes, { [field]: valid[field] });
      }
    }
    // The server checks the role again; its refusal comes back as a DomainError.
    const clinic = await callOnline<ClinicView>(
      this.o,
      { method: 'PATCH', path: '/api/staff/clinic', body: changes },
      'The clinic server is not reachable. Clinic settings need a connection.',
    );
    // The header, "today" and time formatting follow the saved clinic at once, not at the next sign-in.
    await this.o.session.updateClinic(clinic, staff);
    return this.o.status();
  }
}
