import { formatRegistrationId } from '../../../../shared/domain/invitation';
import { isPatientLanguage } from '../../../../shared/domain/language';
import type { PatientLanguage } from '../../../../shared/domain/language';
import { makePdf } from '../../../../shared/node/pdf';
import { formatDateInZone } from '../../../../shared/time/instant';
import { languageHelp } from '../mail/mailLayout';
import { LETTER_TEXT } from './letterText';

export { GUIDE_HELP, GUIDE_STEP_3, GUIDE_STEP_4 } from './letterText';

/** What a printed invitation needs. Like the email: no health information, and no name on it. */
export interface InvitationLetterPayload {
  clinicName: string;
  clinicPhone: string;
  timeZone: string;
  /** PUBLIC_URL: the portal's address, typed by the patient. */
  portalUrl: string;
  registrationId: string;
  expiresAt: string;
  /** The patient's language (issue 15); absent or null: English. */
  language?: PatientLanguage | null;
}

/**
 * The letter in the patient's language (its words are in letterText.ts), ending, like every email,
 * with the language-assistance notice in every language the portal speaks.
 */
export function renderInvitationLetter(p: InvitationLetterPayload): Promise<Buffer> {
  const lang: PatientLanguage = isPatientLanguage(p.language) ? p.language : 'en';
  const t = LETTER_TEXT[lang];
  const id = formatRegistrationId(p.registrationId);
  const expires = formatDateInZone(p.expiresAt, p.timeZone, t.dateLocale);
  const signIn = `${p.portalUrl.endsWith('/') ? p.portalUrl.slice(0, -1) : p.portalUrl}/sign-in`;
  return makePdf({ title: t.title(p), author: p.clinicName, lang: t.pdfLang }, (w) => {
    w.heading(p.clinicName);
    w.paragraph(t.phone(p));
    w.gap();
    w.heading(t.heading);
    w.paragraph(t.intro(p));
    w.paragraph(t.portalAddress(p.portalUrl));
    w.emphasised(t.registrationId, id);
    w.paragraph(t.expires(expires));
    w.heading(t.step1);
    w.steps(t.openSteps(signIn));
    w.heading(t.step2);
    w.steps(t.signInInformation);
    w.heading(t.step3);
    w.paragraph(t.confirmation);
    w.gap();
    w.paragraph(t.help(p));
    for (const notice of languageHelp(lang, p)) {
      w.paragraph(notice.text);
    }
  });
}
