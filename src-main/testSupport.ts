/** Helpers for the main process's tests: a console core in a temp folder, signed in without a server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClinicView } from '../shared/domain/clinic';
import type { StaffUserView } from '../shared/domain/staff';
import type { PreRegistrationForm } from '../shared/validation/patient';
import { createConsoleCore } from './core';
import type { ConsoleCore, ConsoleCoreOptions } from './core';

export const TEST_STAFF: StaffUserView = { id: '11111111-1111-4111-8111-111111111111', username: 'desk1', displayName: 'Dana Desk', role: 'receptionist', active: true };
export const TEST_CLINIC_VIEW: ClinicView = {
  id: '22222222-2222-4222-8222-222222222222',
  name: 'Maple Street Clinic',
  phone: '(555) 123-4567',
  address: '1 Maple Street',
  timeZone: 'America/Chicago',
  passwordPolicy: 'default',
  invitationLifetimeDays: 14,
  appointmentCancelHours: 24,
  staffTokenLifetimeDays: 30,
  staffTokenIdleDays: 7,
  messageRepliers: 'physicians_receptionists',
  secondFactorPolicy: 'off',
};

/** Nothing listens on port 9 of loopback: every request fails like an unplugged network. */
export const UNREACHABLE_URL = 'http://127.0.0.1:9';

export function tempDir(prefix = 'console-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestCore extends ConsoleCore {
  dataDir: string;
  /** Closes the core and removes its folder. */
  dispose(): Promise<void>;
}

export async function startTestCore(options: Partial<ConsoleCoreOptions> = {}): Promise<TestCore> {
  const dir = options.dataDir ? null : tempDir();
  const dataDir = options.dataDir ?? (dir as { path: string }).path;
  const core = await createConsoleCore({
    serverUrl: UNREACHABLE_URL,
    log: () => undefined,
    ...options,
    dataDir,
    sync: { debounceMs: 20, backoffInitialMs: 50, backoffMaxMs: 400, ...options.sync },
  });
  return {
    ...core,
    dataDir,
    async dispose() {
      await core.close();
      dir?.remove();
    },
  };
}

export const TEST_PHYSICIAN: StaffUserView = { id: '33333333-3333-4333-8333-333333333333', username: 'drpatel', displayName: 'Dr. Sam Patel', role: 'physician', active: true };

/** Signs in as if the server had answered, so offline work can be tested without one. */
export async function signInOffline(core: ConsoleCore, serverUrl = UNREACHABLE_URL, staff: StaffUserView = TEST_STAFF): Promise<void> {
  await core.session.remember({ token: 'offline-test-token-0123456789', deviceId: 'd', staff, clinic: TEST_CLINIC_VIEW }, serverUrl);
}

export function mariaForm(overrides: Partial<PreRegistrationForm> = {}): PreRegistrationForm {
  return { givenName: 'Maria', familyName: 'Lopez', dateOfBirth: '04/12/1986', email: 'maria.lopez@example.com', phone: '', ...overrides };
}

/** A console signed in to a real portal server as this staff member, with its first sync done. */
export async function startSignedInCore(serverUrl: string, username: string, password: string, options: Partial<ConsoleCoreOptions> = {}): Promise<TestCore> {
  const core = await startTestCore({ serverUrl, ...options });
  await core.services.auth.signIn({ username, password });
  await core.engine.syncNow();
  return core;
}
