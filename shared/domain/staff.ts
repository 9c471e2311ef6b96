export const STAFF_ROLES = ['receptionist', 'physician', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  receptionist: 'Receptionist',
  physician: 'Physician',
  admin: 'Administrator',
};

export interface StaffUserView {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  active: boolean;
}

/** Synced to every console: who can be chosen as a physician, who a thread is assigned to. */
export interface StaffDirectoryEntry {
  id: string;
  displayName: string;
  role: StaffRole;
  active: boolean;
  version: number;
  updatedAt: string;
}
