import { defineStore } from 'pinia';
import type { ConsoleDeviceItem } from '../../../shared/ipc/contract';
import { call } from '../api';
import { createQuery } from './query';

/** Admins: the consoles signed in to the clinic, read from the server (online only). */
export const useDevicesStore = defineStore('devices', () => {
  const devices = createQuery(() => call('devices.list'));
  /** Consoles a person chose to trust for 30 days (their sign-ins there skip the second factor). */
  const trusted = createQuery(() => call('devices.trusted'));

  async function revokeTrust(trustId: string): Promise<void> {
    const rows = await call('devices.revokeTrust', { trustId });
    trusted.update(() => rows);
  }

  /** Revokes at once on the server; the row shows the answer. */
  async function revoke(deviceId: string): Promise<ConsoleDeviceItem> {
    const revoked = await call('devices.revoke', { deviceId });
    devices.update((rows) => rows.map((row) => (row.id === revoked.id ? revoked : row)));
    return revoked;
  }

  /** Signing out or locking: nothing read for one person stays for the next. */
  function forget(): void {
    devices.reset();
    trusted.reset();
  }

  return { devices, revoke, forget, trusted, revokeTrust };
});
