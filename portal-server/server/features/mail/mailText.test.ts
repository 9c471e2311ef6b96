import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATIENT_LANGUAGES } from '../../../../shared/domain/language';
import { MAIL_TEXT } from './mailText';
import type { RenderedMail } from './templates';
import { NOTICE_TEMPLATES, TEMPLATES, render } from './templates';

/** Emails in the patient's language (issue 15 item 3), rendered without a server. */
const clinic = { clinicName: 'Riverside Family Clinic & Co', clinicPhone: '(555) 010-2030' };
const expiring = { timeZone: 'America/New_York', expiresAt: '2026-12-19T15:00:00.000Z' };
const PAYLOADS: Record<(typeof TEMPLATES)[number], object> = {
  invitation: { ...clinic, ...expiring, link: 'https://portal.example.org/register#token=abc', registrationId: 'ABCD2345' },
  passwordReset: { ...clinic, ...expiring, link: 'https://portal.example.org/reset-password#token=abc' },
  recoveryCode: { ...clinic, kind: 'password', code: '123456', minutes: 15 },
  emailChangeCode: { ...clinic, code: '654321', minutes: 30 },
  ...(Object.fromEntries(NOTICE_TEMPLATES.map((t) => [t, { ...clinic, signInUrl: 'https://portal.example.org/sign-in' }])) as Record<(typeof NOTICE_TEMPLATES)[number], object>),
};

const NOTICE_EN = 'Language help: if you need help in another language, call Riverside Family Clinic & Co at (555) 010-2030.';
const NOTICE_ES = 'Ayuda con el idioma: si necesita ayuda en otro idioma, llame a Riverside Family Clinic & Co al (555) 010-2030.';
const amp = (s: string) => s.replace(/&/g, '&amp;');

describe('every mail template in every language', () => {
  for (const template of TEMPLATES) {
    it(`${template} renders in ${PATIENT_LANGUAGES.join(', ')}, each with its own words, lang attribute and the notice in every language`, () => {
      const english = render(template, { ...PAYLOADS[template], language: 'en' });
      for (const language of PATIENT_LANGUAGES) {
        // A language added to PATIENT_LANGUAGES without its mail text fails here.
        expect(MAIL_TEXT[language], `mail text for "${language}"`).toBeDefined();
        const mail = render(template, { ...PAYLOADS[template], language });
        expect(mail.html).toContain(`<html lang="${language}">`);
        for (const part of [mail.subject, mail.text, mail.html]) {
          expect(part).not.toMatch(/undefined|NaN|\[object/);
        }
        // Every mail, whatever its language, ends with the help notice in every language.
        for (const other of PATIENT_LANGUAGES) {
          const notice = MAIL_TEXT[other].languageHelp(clinic);
          expect(mail.text.trimEnd().split('\n').slice(-PATIENT_LANGUAGES.length)).toContain(notice);
          expect(mail.html).toContain(`<p lang="${other}" style="font-size:0.9em;color:#4a5560">${amp(notice)}</p>`);
        }
        if (language !== 'en') {
          // Translated, not English under another lang attribute.
          expect(mail.subject).not.toBe(english.subject);
          expect(mail.text).not.toContain(english.text.split('\n')[0] as string);
          expect(mail.text).not.toContain(english.subject);
        }
      }
    });
  }
});

describe('English mails', () => {
  /**
   * englishMails.golden.json: every template rendered by templates.ts as it was before issue 15
   * (commit 9f1ae4b). The English mails are those, word for word, plus the language notice. The
   * one other change: the invitation's "doctor's" is now escaped in HTML (&#39;) like every other
   * text, which a mail client shows the same.
   */
  const golden = JSON.parse(readFileSync(join(__dirname, 'englishMails.golden.json'), 'utf8')) as Record<string, { template: string; payload: object; mail: RenderedMail }>;
  const withoutNotice = (m: RenderedMail): RenderedMail => ({
    subject: m.subject,
    text: m.text.replace(`\n\n${NOTICE_EN}\n${NOTICE_ES}`, ''),
    html: m.html.replace(/\n<p lang="(en|es)" style="font-size:0\.9em;color:#4a5560">[^<]*<\/p>/g, '').replace(/&#39;/g, "'"),
  });

  it('are the pre-issue-15 mails word for word, with the English-then-Spanish notice at the end', () => {
    expect(Object.keys(golden).length).toBeGreaterThanOrEqual(TEMPLATES.length);
    for (const [name, { template, payload, mail: before }] of Object.entries(golden)) {
      // A mail queued before issue 15 has no language: it renders in English.
      for (const p of [payload, { ...payload, language: 'en' }]) {
        const now = render(template, p);
        expect(now.text.endsWith(`\n\n${NOTICE_EN}\n${NOTICE_ES}`), name).toBe(true);
        expect(withoutNotice(now), name).toEqual({ ...before, html: before.html.replace(/&#39;/g, "'") });
      }
    }
  });

  it('a language the server does not speak (a damaged or future payload) falls back to English', () => {
    const mail = render('recoveryCode', { ...PAYLOADS.recoveryCode, language: 'fr' });
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.subject).toBe('Your Riverside Family Clinic & Co Patient Portal code');
  });
});

describe('Spanish mails', () => {
  it('the invitation: Spanish subject, words and month name, US order, the ID and link as in English', () => {
    const mail = render('invitation', { ...PAYLOADS.invitation, language: 'es' });
    expect(mail.subject).toBe('Riverside Family Clinic & Co le invita a su Portal del Paciente');
    expect(mail.text).toContain('Hola:');
    expect(mail.text).toContain('Su ID de registro: ABCD-2345');
    expect(mail.text).toContain('Esta invitación vence el 19 de diciembre de 2026.');
    expect(mail.text).toContain('Continuar el registro: https://portal.example.org/register#token=abc');
    expect(mail.html).toContain('>Continuar el registro</a>');
    expect(mail.text.endsWith(`${NOTICE_ES}\n${NOTICE_EN}`)).toBe(true);
  });

  it('the password reset link and the email change code', () => {
    const reset = render('passwordReset', { ...PAYLOADS.passwordReset, language: 'es' });
    expect(reset.subject).toBe('Cree una contraseña nueva para su Portal del Paciente de Riverside Family Clinic & Co');
    expect(reset.text).toContain('vence el 19 de diciembre de 2026');
    const code = render('emailChangeCode', { ...PAYLOADS.emailChangeCode, language: 'es' });
    expect(code.text).toContain('Su código de un solo uso es 654321');
    expect(code.text).toContain('Vence en 30 minutos');
  });
});
