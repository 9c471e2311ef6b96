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
