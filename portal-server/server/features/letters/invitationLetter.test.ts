import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATIENT_LANGUAGES } from '../../../../shared/domain/language';
import { GUIDE_HELP, GUIDE_STEP_3, GUIDE_STEP_4, renderInvitationLetter } from './invitationLetter';
import type { InvitationLetterPayload } from './invitationLetter';
import { LETTER_TEXT } from './letterText';

/** The PDF read back as a patient's printer would see it: pdftotext (poppler-utils). */
function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'letter-'));
  const file = join(dir, 'letter.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

const LETTER: InvitationLetterPayload = {
  clinicName: 'Clínica Ñandú & Søn',
  clinicPhone: '(555) 010-2030',
  timeZone: 'America/New_York',
  portalUrl: 'https://portal.example.org',
  registrationId: 'ABCD2345',
  expiresAt: '2026-12-19T15:00:00.000Z',
};
/** The language-assistance notice (issue 15), at the bottom of every letter in every language. */
const NOTICE_EN = 'Language help: if you need help in another language, call Clínica Ñandú & Søn at (555) 010-2030.';
const NOTICE_ES = 'Ayuda con el idioma: si necesita ayuda en otro idioma, llame a Clínica Ñandú & Søn al (555) 010-2030.';

describe('the invitation letter PDF', () => {
  it('carries the clinic, the portal address, the Registration ID and expiry, the letter steps and the guide’s steps 3 and 4', async () => {
    const pdf = await renderInvitationLetter(LETTER);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // The font is embedded, so every name prints wherever the PDF is opened.
    const fonts = execFileSync('pdffonts', ['-'], { input: pdf, encoding: 'utf8' });
    expect(fonts).toMatch(/DejaVuSans\s+CID TrueType\s+\S+\s+yes/);
    const text = oneLine(pdfText(pdf));
    expect(text).toContain('Clínica Ñandú & Søn');
    expect(text).toContain('(555) 010-2030');
    expect(text).toContain('https://portal.example.org');
    expect(text).toContain('ABCD-2345');
    expect(text).toContain('December 19, 2026');
    expect(text).toContain('Have a Registration ID? Register here.');
    for (const line of [...GUIDE_STEP_3, GUIDE_STEP_4, GUIDE_HELP]) {
      expect(text).toContain(oneLine(line));
    }
    // The language-assistance notice ends the letter, English first, then Spanish.
    expect(text.trimEnd().endsWith(`${NOTICE_EN} ${NOTICE_ES}`)).toBe(true);
  });

  it('in Spanish: Spanish headings, steps, month name in US order, the same ID and address, the notice Spanish first', async () => {
    const pdf = await renderInvitationLetter({ ...LETTER, language: 'es' });
    expect(pdf.toString('latin1')).toContain('/Lang (es-US)');
    const text = oneLine(pdfText(pdf));
    expect(text).toContain('Teléfono: (555) 010-2030');
    expect(text).toContain('Su invitación al Portal del Paciente');
    expect(text).toContain('Clínica Ñandú & Søn le preinscribió en su Portal del Paciente');
    expect(text).toContain('Dirección del portal: https://portal.example.org');
    expect(text).toMatch(/Su ID de registro: ABCD-2345/);
    expect(text).toContain('Esta invitación vence el 19 de diciembre de 2026.');
    expect(text).toContain('Escriba esta dirección en su navegador web: https://portal.example.org/sign-in');
    for (const line of [...LETTER_TEXT.es.signInInformation, LETTER_TEXT.es.confirmation]) {
      expect(text).toContain(oneLine(line));
    }
    // No English step left in it.
    for (const line of [GUIDE_STEP_3[0], GUIDE_STEP_3[1], GUIDE_STEP_4, 'Your invitation to the Patient Portal', 'This invitation expires on']) {
      expect(text).not.toContain(line);
    }
    expect(text.trimEnd().endsWith(`${NOTICE_ES} ${NOTICE_EN}`)).toBe(true);
  });

  it('renders in every language the portal speaks, each with its own text (a language without letter text fails here)', async () => {
    for (const language of PATIENT_LANGUAGES) {
      expect(LETTER_TEXT[language], `letter text for "${language}"`).toBeDefined();
      const text = oneLine(pdfText(await renderInvitationLetter({ ...LETTER, language })));
      expect(text).toContain(oneLine(LETTER_TEXT[language].heading));
      expect(text).toContain('ABCD-2345');
      expect(text).toContain(NOTICE_EN);
      expect(text).toContain(NOTICE_ES);
      expect(text).not.toMatch(/undefined|NaN/);
      if (language !== 'en') {
        expect(LETTER_TEXT[language].heading).not.toBe(LETTER_TEXT.en.heading);
      }
    }
  });
});
