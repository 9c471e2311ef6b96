import type { AuditEventView } from '../../../../shared/api/staffSecurity';

/** The audit log's action codes in the clinic's words; an unknown code is shown as it is. */
const ACTION_LABELS: Record<string, string> = {
  'record.view': 'Opened the medical record',
  'record.create': 'Added to the medical record',
  'record.update': 'Changed the medical record',
  'record.delete': 'Removed from the medical record',
  'patient.pre_register': 'Pre-registered the patient',
  'patient.update': 'Changed the patient’s details',
  'patient.register': 'Registered for the portal',
  'patient.sign_in': 'Signed in to the portal',
  'patient.sign_in_failed': 'Failed portal sign-in',
  'patient.sign_out': 'Signed out of the portal',
  'patient.sign_out_everywhere': 'Signed out everywhere',
  'patient.password_change': 'Changed their password',
  'patient.password_change_failed': 'Failed password change',
  'patient.password_reset_sent': 'Sent a password reset link',
  'patient.password_reset_by_link': 'Reset their password from a link',
  'patient.account_unlock': 'Unlocked the portal account',
  'patient.recovery_start': 'Started account recovery',
  'patient.recovery_failed': 'Failed account recovery',
  'patient.username_recovered': 'Recovered their username',
  'registration.verification_failed': 'Failed registration check',
  'invitation.create': 'Sent an invitation',
  'invitation.revoked': 'Revoked an invitation',
  'invitation.locked': 'Invitation locked after wrong tries',
  'appointment.request': 'Requested an appointment',
  'appointment.create': 'Booked an appointment',
  'renewal.request': 'Requested a renewal',
  'renewal.approved': 'Approved a renewal',
  'renewal.denied': 'Denied a renewal',
  'thread.start': 'Started a message thread',
  'thread.reply': 'Replied to a message',
  'thread.assign': 'Assigned a message thread',
  'staff.sign_in': 'Signed in to a console',
  'staff.sign_in_failed': 'Failed console sign-in',
  'staff.sign_out': 'Signed out of a console',
  'staff.create': 'Added a staff account',
  'staff.deactivate': 'Deactivated a staff account',
  'staff.reactivate': 'Reactivated a staff account',
  'staff.reset_password': 'Reset a staff password',
  'staff.device_revoke': 'Revoked a console',
  'clinic.setup': 'Set up the clinic',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** Who acted, in words: a staff member or patient by name, else what kind of actor it was. */
export function actorLabel(event: AuditEventView): string {
  switch (event.actorKind) {
    case 'staff':
      return event.actorName ?? 'A staff member (no longer known)';
    case 'patient':
      return event.actorName ? `${event.actorName} (patient)` : 'A patient';
    case 'system':
      return 'The system';
    case 'anonymous':
      return event.actorName ? `Someone trying as ${event.actorName}` : 'Someone not signed in';
  }
}
