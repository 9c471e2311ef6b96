import { describe, expect, it } from 'vitest';
import { RECOVERY_FAILED_MESSAGE, RECOVERY_STARTED_MESSAGE } from '../api/account';
import { PASSWORD_POLICIES } from '../domain/clinic';
import { JUNK_MAIL_HINT } from '../domain/invitation';
import { LAB_FLAG_LABELS, RECORD_KIND_LABELS } from '../domain/record';
import { SECURITY_QUESTIONS } from '../domain/securityQuestions';
import { passwordRules } from '../validation/password';
import { messagesFor, schemasOf } from '../validation/schemaWalk';
import { localizeText, textKey, translateText } from './text';

/**
 * Every sentence shared code can put in front of a patient has its Spanish (a missing one fails
 * here): the messages of every schema a patient's form uses, the password hints, the security
 * questions, the record's section names and lab flags, and the recovery steps' answers.
 */
const PATIENT_SCHEMAS = /^(account|contact|fields|passwordReset|registration)\.|^requests\.(appointmentRequestSchema|renewalRequestSchema|newThreadSchema|replySchema|uuidSchema)$/;
/** The walk also calls factories with arguments they never get (answerSchema('strong')): not real messages. */
const WALK_ARTEFACT = /Security Question (?:default|strong|\d+-\d+-\d+)\b/;

describe('shared sentences in Spanish', () => {
  it('every message of every patient form has its Spanish', () => {
    const messages = new Set<string>();
    for (const [name, schema] of schemasOf()) {
      if (PATIENT_SCHEMAS.test(name)) {
        for (const m of messagesFor(schema)) {
          if (!WALK_ARTEFACT.test(m)) {
            messages.add(m);
          }
        }
      }
    }
    expect(messages.size).toBeGreaterThan(30);
    expect([...messages].filter((m) => translateText(m, 'es') === null)).toEqual([]);
  });

  it('the hints, questions, labels and recovery answers have their Spanish', () => {
    const sentences = [
      ...PASSWORD_POLICIES.map((p) => passwordRules(p).hint),
      ...SECURITY_QUESTIONS.map((q) => q.text),
      ...Object.values(RECORD_KIND_LABELS),
      ...Object.values(LAB_FLAG_LABELS),
      JUNK_MAIL_HINT,
      RECOVERY_STARTED_MESSAGE,
      RECOVERY_FAILED_MESSAGE,
    ];
    expect(sentences.filter((s) => translateText(s, 'es') === null)).toEqual([]);
  });

  it('numbers are not part of a key: they are put back where the Spanish places them', () => {
    expect(textKey('Use at least 8 of 15.')).toEqual({ key: 'Use at least {0} of {1}.', numbers: ['8', '15'] });
    expect(translateText('Enter your date of birth as mm/dd/yyyy (ex: 04/12/1986).', 'es')).toBe('Escriba su fecha de nacimiento como mm/dd/aaaa (ej.: 04/12/1986).');
    expect(translateText(passwordRules('default').hint, 'es')).toBe('Mínimo 8 caracteres, con 1 número y 1 letra mayúscula (ej.: Password1)');
  });

  it('a sentence with a name in it matches its pattern, numbers and names put back', () => {
    expect(translateText('You have already asked to renew Metformin 500 mg. Your doctor will answer that request first.', 'es')).toBe(
      'Ya pidió renovar Metformin 500 mg. Su médico responderá primero esa solicitud.',
    );
    expect(translateText('You already have 5 requests waiting for the clinic. Please wait for an answer, or call Maple Street Clinic at (555) 010-2030.', 'es')).toBe(
      'Ya tiene 5 solicitudes esperando a la clínica. Espere una respuesta o llame a Maple Street Clinic al (555) 010-2030.',
    );
  });

  it('the server sentences a patient meets on Account and Renewals have their Spanish', () => {
    for (const sentence of [
      'That is not your current password.',
      'That is already your email address.',
      'Another patient account uses that email address. Use a different one, or call the clinic.',
      'That code is not right or has expired. Ask for a new code.',
      'This medication is no longer active. Message your doctor if you still need it.',
      'It is too late to cancel online: appointments can be cancelled up to 24 hours before they start. Please call A at 1.',
    ]) {
      expect(translateText(sentence, 'es'), sentence).not.toBeNull();
    }
  });

  it('English stays as written, and an unknown sentence falls back to it', () => {
    expect(translateText('Choose a medication.', 'en')).toBe('Choose a medication.');
    expect(translateText('A sentence nobody translated.', 'es')).toBeNull();
    expect(localizeText('A sentence nobody translated.', 'es')).toBe('A sentence nobody translated.');
  });
});
