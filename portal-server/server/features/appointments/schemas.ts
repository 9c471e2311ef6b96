import { number, object, string } from 'yup';
import { appointmentRequestSchema, appointmentSlotSchema, staffReasonSchema, uuidSchema } from '../../../../shared/validation/requests';

/** The console's appointment intents, checked with the same field rules as its forms. */
const baseVersion = number().typeError('Not a valid version.').required().integer().min(0);
const appointmentId = uuidSchema;

export const createAppointmentArgs = appointmentSlotSchema.concat(appointmentRequestSchema.pick(['reason'])).shape({ appointmentId, patientId: uuidSchema });
export const scheduleAppointmentArgs = appointmentSlotSchema.shape({ appointmentId, baseVersion });
export const proposeAppointmentArgs = appointmentSlotSchema.shape({
  appointmentId,
  baseVersion,
  note: string().trim().max(300, 'Keep it under 300 characters.').default(''),
});
export const declineAppointmentArgs = staffReasonSchema.shape({ appointmentId, baseVersion });
export const cancelAppointmentArgs = staffReasonSchema.shape({ appointmentId, baseVersion });
export const completeAppointmentArgs = object({ appointmentId, baseVersion });
