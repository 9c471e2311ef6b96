import type { PatientLanguage } from '../../../../shared/domain/language';
import type { ClinicWords } from '../mail/mailText';

/**
 * Every word of the printed invitation letter, per language (issue 15): the one place to read,
 * review or translate them. Keyed by every PatientLanguage, so a new language without its letter
 * text fails the typecheck (and invitationLetter.test.ts). The English steps are the patient
 * guide's, word for word (docs/patient-guide.md); the Spanish is plain, patient-level Spanish in
 * the usted form, still to be reviewed by a native speaker.
 */

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

export interface LetterText {
  /** The PDF's language tag. */
  pdfLang: string;
  /** Intl locale for the expiry date: US order for every language. */
  dateLocale: string;
  title(c: ClinicWords): string;
  phone(c: ClinicWords): string;
  heading: string;
  intro(c: ClinicWords): string;
  portalAddress(url: string): string;
  registrationId: string;
  expires(date: string): string;
  step1: string;
  openSteps(signInUrl: string): string[];
  step2: string;
  signInInformation: readonly string[];
  step3: string;
  confirmation: string;
  help(c: ClinicWords): string;
}

const en: LetterText = {
  pdfLang: 'en-US',
  dateLocale: 'en-US',
  title: (c) => `${c.clinicName}: Patient Portal invitation`,
  phone: (c) => `Phone: ${c.clinicPhone}`,
  heading: 'Your invitation to the Patient Portal',
  intro: (c) =>
    `${c.clinicName} has pre-registered you for its Patient Portal, where you can see your medical record, request appointments and prescription renewals, and message your doctor.`,
  portalAddress: (url) => `Portal address: ${url}`,
  registrationId: 'Your Registration ID:',
  expires: (date) => `This invitation expires on ${date}. Keep this letter private: with your date of birth, the Registration ID opens your registration.`,
  step1: '1. Open the registration page',
  openSteps: (signIn) => [
    `Type this address into your web browser: ${signIn}`,
    'On the Sign In page, select "Have a Registration ID? Register here."',
    'The Complete Registration page opens. Where it asks for the Registration ID, type the one printed above.',
  ],
  step2: '2. Sign In Information',
  signInInformation: GUIDE_STEP_3,
  step3: '3. Confirmation',
  confirmation: GUIDE_STEP_4,
  help: (c) => `${GUIDE_HELP} ${c.clinicName}, ${c.clinicPhone}.`,
};

const es: LetterText = {
  pdfLang: 'es-US',
  dateLocale: 'es-US',
  title: (c) => `${c.clinicName}: invitación al Portal del Paciente`,
  phone: (c) => `Teléfono: ${c.clinicPhone}`,
  heading: 'Su invitación al Portal del Paciente',
  intro: (c) =>
    `${c.clinicName} le preinscribió en su Portal del Paciente, donde usted puede ver su historial médico, pedir citas y renovaciones de recetas, y enviar mensajes a su médico.`,
  portalAddress: (url) => `Dirección del portal: ${url}`,
  registrationId: 'Su ID de registro:',
  expires: (date) =>
    `Esta invitación vence el ${date}. Guarde esta carta en un lugar privado: con su fecha de nacimiento, el ID de registro abre su registro.`,
  step1: '1. Abra la página de registro',
  openSteps: (signIn) => [
    `Escriba esta dirección en su navegador web: ${signIn}`,
    'Si la página aparece en inglés, seleccione "Español" para verla en español.',
    'En la página Iniciar sesión, seleccione "¿Tiene un ID de registro? Regístrese aquí".',
    'Se abre la página para completar el registro. Donde le pide el ID de registro, escriba el que aparece arriba.',
  ],
  step2: '2. Información para iniciar sesión',
  signInInformation: [
    'Complete todos los campos.',
    'Nombre de usuario: Debe tener al menos 8 caracteres (ej.: William2)',
    'Contraseña: Debe tener entre 8 y 15 caracteres, con al menos 1 número y 1 letra mayúscula (ej.: Password1)',
    'Pregunta de seguridad 1: Elija una pregunta de la lista',
    'Respuesta: Escriba una respuesta corta para la pregunta de seguridad 1',
    'Pregunta de seguridad 2: Elija una pregunta de la lista',
    'Respuesta: Escriba una respuesta corta para la pregunta de seguridad 2',
    'Verificación de la cuenta 1: Escriba su fecha de nacimiento (mm/dd/aaaa)',
    'Verificación de la cuenta 2: Fecha de nacimiento e ID de registro',
    'Respuesta: Escriba el ID de registro que le dio el consultorio de su médico',
  ],
  step3: '3. Confirmación',
  confirmation: 'Cuando el registro se complete correctamente, aparecerá un mensaje de confirmación.',
  help: (c) => `¿Problemas con el registro? Comuníquese con el consultorio de su médico para recibir ayuda: ${c.clinicName}, ${c.clinicPhone}.`,
};

/** Every language's letter text. */
export const LETTER_TEXT: Record<PatientLanguage, LetterText> = { en, es };
