import { formatRegistrationId } from '../../../../shared/domain/invitation';
import { makePdf } from '../../../../shared/node/pdf';
import { formatDateInZone } from '../../../../shared/time/instant';

/** What a printed invitation needs. Like the email: no health information, and no name on it. */
export interface InvitationLetterPayload {
  clinicName: string;
  clinicPhone: string;
  timeZone: string;
  /** PUBLIC_URL: the portal's address, typed by the patient. */
  portalUrl: string;
  registrationId: string;
  expiresAt: string;
}

/** The guide's step 3 ("Sign In Information") and its rules, in its words. */
export const GUIDE_STEP_3 = [
  'Fill in all the fields.',
  'Username: Must have at least 8 characters (ex:William2)',
  'Password: Must contain between 8 and 15 characters that include 1 number & 1 capital letter (ex: Password1)',
  'Security Question 1: Select one question from the drop down',
  'Answer: Provide a short answer for Security Question 1',
  'Security Question 2: Select one question from the drop down',
  'Answer: Provide a short answer for Security Question 2',
  'Account Verification 1: Enter Date of Birth',
  'Account Verification 2: Date of Birth and Registration Code',
  "Answer: Enter the code your doctor's office provided",
] as const;
/** The guide's confirmation step, in its words. */
export const GUIDE_STEP_4 = 'When registration has been successfully completed, this pop up will display.';
export const GUIDE_HELP = "Registration problems? Please contact your doctor's office for further assistance.";

export function renderInvitationLetter(p: InvitationLetterPayload): Promise<Buffer> {
  const id = formatRegistrationId(p.registrationId);
  const expires = formatDateInZone(p.expiresAt, p.timeZone);
  const signIn = `${p.portalUrl.endsWith('/') ? p.portalUrl.slice(0, -1) : p.portalUrl}/sign-in`;
  return makePdf({ title: `${p.clinicName}: Patient Portal invitation`, author: p.clinicName }, (w) => {
    w.heading(p.clinicName);
    w.paragraph(`Phone: ${p.clinicPhone}`);
    w.gap();
    w.heading('Your invitation to the Patient Portal');
    w.paragraph(
      `${p.clinicName} has pre-registered you for its Patient Portal, where you can see your medical record, request appointments and prescription renewals, and message your doctor.`,
    );
    w.paragraph(`Portal address: ${p.portalUrl}`);
    w.emphasised('Your Registration ID:', id);
    w.paragraph(`This invitation expires on ${expires}. Keep this letter private: with your date of birth, the Registration ID opens your registration.`);
    w.heading('1. Open the registration page');
    w.steps([
      `Type this address into your web browser: ${signIn}`,
      'On the Sign In page, select "Have a Registration ID? Register here."',
      'The Complete Registration page opens. Where it asks for the Registration ID, type the one printed above.',
    ]);
    w.heading('2. Sign In Information');
    w.steps(GUIDE_STEP_3);
    w.heading('3. Confirmation');
    w.paragraph(GUIDE_STEP_4);
    w.gap();
    w.paragraph(`${GUIDE_HELP} ${p.clinicName}, ${p.clinicPhone}.`);
  });
}
