import type { PatientLanguage } from '../../../../shared/domain/language';

/**
 * Every word of every portal email, per language (issue 15): the one place to read, review or
 * translate them. Keyed by every PatientLanguage, so a language added to PATIENT_LANGUAGES without
 * its mail text fails the typecheck (and mailText.test.ts). The Spanish is plain, patient-level
 * Spanish in the usted form, still to be reviewed by a native speaker.
 *
 * No health information in any of them: no name, medication, reason, message text, physician or
 * appointment time — only the clinic, a link or a one-time code.
 */

/** The clinic as a mail names it. */
export interface ClinicWords {
  clinicName: string;
  clinicPhone: string;
}

/** The notices' lines: `lead` is the mail's one sentence (HTML part), `line` the text part's. */
export interface NoticeWords {
  subject: string;
  lead: string;
  line: string;
}

export interface MailText {
  /** BCP 47 tag for `<html lang>`. */
  htmlLang: string;
  /** Intl locale for dates: US order (and US Spanish) for every language. */
  dateLocale: string;
  hello: string;
  /** The language-assistance notice (Section 1557) ending every mail, in every language. */
  languageHelp(c: ClinicWords): string;
  invitation: {
    subject(c: ClinicWords): string;
    intro(c: ClinicWords): string;
    openLink: string;
    button: string;
    registrationId: string;
    expires(date: string): string;
    dateOfBirth: string;
    /** The guide's step 1 (the Sign In page says it word for word in English). */
    junkMail: string;
    problems(c: ClinicWords): string;
  };
  notice: {
    appointmentUpdate(c: ClinicWords, link: string): NoticeWords;
    newMessage(c: ClinicWords, link: string): NoticeWords;
    renewalUpdate(c: ClinicWords, link: string): NoticeWords;
    passwordChanged(c: ClinicWords, signIn: string): NoticeWords;
    emailChangedByPatient(c: ClinicWords, signIn: string): NoticeWords;
    emailChangedByClinic(c: ClinicWords, signIn: string): NoticeWords;
    secondFactorReset(c: ClinicWords, signIn: string): NoticeWords;
    button: string;
    privacy(c: ClinicWords): string;
  };
  code: {
    yourCode: string;
    ignore: string;
    contact(c: ClinicWords): string;
  };
  recovery: {
    subject(c: ClinicWords): string;
    lead(c: ClinicWords, kind: 'password' | 'username'): string;
    expires(minutes: number): string;
  };
  emailChange: {
    subject(c: ClinicWords): string;
    lead(c: ClinicWords): string;
    expires(minutes: number): string;
  };
  passwordReset: {
    subject(c: ClinicWords): string;
    lead: string;
    button: string;
    once(date: string): string;
    ignore(c: ClinicWords): string;
  };
}

const en: MailText = {
  htmlLang: 'en',
  dateLocale: 'en-US',
  hello: 'Hello,',
  languageHelp: (c) => `Language help: if you need help in another language, call ${c.clinicName} at ${c.clinicPhone}.`,
  invitation: {
    subject: (c) => `${c.clinicName} invites you to its Patient Portal`,
    intro: (c) =>
      `${c.clinicName} has pre-registered you for its Patient Portal, where you can see your medical record, request appointments and prescription renewals, and message your doctor.`,
    openLink: 'To finish registering, open this link:',
    button: 'Continue Registration',
    registrationId: 'Your Registration ID:',
    expires: (date) => `This invitation expires on ${date}.`,
    dateOfBirth: 'You will also need your date of birth. If you did not expect this email, you can ignore it.',
    junkMail: 'Emails from the portal may land in "Junk E-mail." If you do not see one in your Inbox, check "Junk E-mail."',
    problems: (c) => `Registration problems? Please contact your doctor's office: ${c.clinicName}, ${c.clinicPhone}.`,
  },
  notice: {
    appointmentUpdate: (c, link) => {
      const lead = `There is an update about your appointment request at ${c.clinicName}.`;
      return { subject: `An update from ${c.clinicName}`, lead, line: `${lead} Sign in to see it: ${link}` };
    },
    newMessage: (c, link) => {
      const lead = 'You have a new message from your clinic — sign in to read it.';
      return { subject: `New message from ${c.clinicName}`, lead, line: `${lead}\n${link}` };
    },
    renewalUpdate: (c, link) => {
      const lead = `There is an update about your prescription renewal request at ${c.clinicName}.`;
      return { subject: `An update from ${c.clinicName}`, lead, line: `${lead} Sign in to see it: ${link}` };
    },
    passwordChanged: (c, signIn) => {
      const lead = `The password of your ${c.clinicName} Patient Portal account was changed, and browsers signed in to it were signed out. If this was not you, call ${c.clinicName} at ${c.clinicPhone} right away.`;
      return { subject: `Your ${c.clinicName} Patient Portal password was changed`, lead, line: `${lead}\nSign in: ${signIn}` };
    },
    emailChangedByPatient: (c, signIn) => {
      const lead = `The email address of your ${c.clinicName} Patient Portal account was changed on the Account page. Portal emails, including password links, now go to the new address, not to this one. If this was not you, call ${c.clinicName} at ${c.clinicPhone} right away.`;
      return { subject: `The email address of your ${c.clinicName} Patient Portal account was changed`, lead, line: `${lead}\nSign in: ${signIn}` };
    },
    emailChangedByClinic: (c, signIn) => {
      const lead = `The clinic changed the email address of your ${c.clinicName} Patient Portal account. Portal emails, including password links, now go to the new address, not to this one. If you did not ask for this, call ${c.clinicName} at ${c.clinicPhone} right away.`;
      return { subject: `The email address of your ${c.clinicName} Patient Portal account was changed`, lead, line: `${lead}\nSign in: ${signIn}` };
    },
    secondFactorReset: (c, signIn) => {
      const lead = `At your request, ${c.clinicName} turned off two-step sign-in for your Patient Portal account, and browsers signed in to it were signed out. You now sign in with your password alone; you can turn two-step sign-in on again on the Account page. If you did not ask for this, call ${c.clinicName} at ${c.clinicPhone} right away.`;
      return { subject: `Two-step sign-in was turned off for your ${c.clinicName} Patient Portal account`, lead, line: `${lead}\nSign in: ${signIn}` };
    },
    button: 'Sign in',
    privacy: (c) => `For your privacy this email does not include any details. Questions? Call ${c.clinicName} at ${c.clinicPhone}.`,
  },
  code: {
    yourCode: 'Your one-time code is',
    ignore: 'If you did not ask for this, you can ignore this email; nothing has changed.',
    contact: (c) => `Questions? Call ${c.clinicName} at ${c.clinicPhone}.`,
  },
  recovery: {
    subject: (c) => `Your ${c.clinicName} Patient Portal code`,
    lead: (c, kind) => `Someone asked to ${kind === 'password' ? 'reset your password' : 'find your username'} for the ${c.clinicName} Patient Portal.`,
    expires: (minutes) => `It expires in ${minutes} minutes and works once. Never share it: the clinic will not ask you for it.`,
  },
  emailChange: {
    subject: (c) => `Confirm your new email address for the ${c.clinicName} Patient Portal`,
    lead: (c) => `Someone signed in to the ${c.clinicName} Patient Portal asked to use this email address for their account.`,
    expires: (minutes) => `Enter the code on the Account page. It expires in ${minutes} minutes and works once. Never share it: the clinic will not ask you for it.`,
  },
  passwordReset: {
    subject: (c) => `Set a new password for your ${c.clinicName} Patient Portal`,
    lead: 'Your clinic has sent you a link to set a new password for your Patient Portal account.',
    button: 'Set a new password',
    once: (date) => `The link works once and expires on ${date}. Setting a new password signs you out on every device.`,
    ignore: (c) => `If you did not ask your clinic for this, you can ignore this email, or call ${c.clinicName} at ${c.clinicPhone}.`,
  },
};

const es: MailText = {
  htmlLang: 'es',
  dateLocale: 'es-US',
  hello: 'Hola:',
  languageHelp: (c) => `Ayuda con el idioma: si necesita ayuda en otro idioma, llame a ${c.clinicName} al ${c.clinicPhone}.`,
  invitation: {
    subject: (c) => `${c.clinicName} le invita a su Portal del Paciente`,
    intro: (c) =>
      `${c.clinicName} le preinscribió en su Portal del Paciente, donde usted puede ver su historial médico, pedir citas y renovaciones de recetas, y enviar mensajes a su médico.`,
    openLink: 'Para terminar su registro, abra este enlace:',
    button: 'Continuar el registro',
    registrationId: 'Su ID de registro:',
    expires: (date) => `Esta invitación vence el ${date}.`,
    dateOfBirth: 'También necesitará su fecha de nacimiento. Si no esperaba este correo, puede ignorarlo.',
    junkMail:
      'Los correos del portal pueden llegar a la carpeta "Correo no deseado" (en inglés, "Junk E-mail"). Si no ve alguno en su Bandeja de entrada, revise esa carpeta.',
    problems: (c) => `¿Problemas con el registro? Comuníquese con el consultorio de su médico: ${c.clinicName}, ${c.clinicPhone}.`,
  },
  notice: {
    appointmentUpdate: (c, link) => {
      const lead = `Hay novedades sobre su solicitud de cita en ${c.clinicName}.`;
      return { subject: `Novedades de ${c.clinicName}`, lead, line: `${lead} Inicie sesión para verlas: ${link}` };
    },
    newMessage: (c, link) => {
      const lead = 'Tiene un mensaje nuevo de su clínica. Inicie sesión para leerlo.';
      return { subject: `Mensaje nuevo de ${c.clinicName}`, lead, line: `${lead}\n${link}` };
    },
    renewalUpdate: (c, link) => {
      const lead = `Hay novedades sobre su solicitud de renovación de receta en ${c.clinicName}.`;
      return { subject: `Novedades de ${c.clinicName}`, lead, line: `${lead} Inicie sesión para verlas: ${link}` };
    },
    passwordChanged: (c, signIn) => {
      const lead = `Se cambió la contraseña de su cuenta del Portal del Paciente de ${c.clinicName}, y se cerró la sesión en los navegadores que la tenían abierta. Si no fue usted, llame de inmediato a ${c.clinicName} al ${c.clinicPhone}.`;
      return { subject: `Se cambió la contraseña de su Portal del Paciente de ${c.clinicName}`, lead, line: `${lead}\nIniciar sesión: ${signIn}` };
    },
    emailChangedByPatient: (c, signIn) => {
      const lead = `Se cambió el correo electrónico de su cuenta del Portal del Paciente de ${c.clinicName} en la página Cuenta. Los correos del portal, incluidos los enlaces para la contraseña, ahora llegan a la dirección nueva, no a esta. Si no fue usted, llame de inmediato a ${c.clinicName} al ${c.clinicPhone}.`;
      return { subject: `Se cambió el correo electrónico de su cuenta del Portal del Paciente de ${c.clinicName}`, lead, line: `${lead}\nIniciar sesión: ${signIn}` };
    },
    emailChangedByClinic: (c, signIn) => {
      const lead = `La clínica cambió el correo electrónico de su cuenta del Portal del Paciente de ${c.clinicName}. Los correos del portal, incluidos los enlaces para la contraseña, ahora llegan a la dirección nueva, no a esta. Si usted no lo pidió, llame de inmediato a ${c.clinicName} al ${c.clinicPhone}.`;
      return { subject: `Se cambió el correo electrónico de su cuenta del Portal del Paciente de ${c.clinicName}`, lead, line: `${lead}\nIniciar sesión: ${signIn}` };
    },
    secondFactorReset: (c, signIn) => {
      const lead = `Como usted lo pidió, ${c.clinicName} desactivó el inicio de sesión en dos pasos de su cuenta del Portal del Paciente, y se cerró la sesión en los navegadores que la tenían abierta. Ahora inicia sesión solo con su contraseña; puede volver a activar el inicio de sesión en dos pasos en la página Cuenta. Si usted no lo pidió, llame de inmediato a ${c.clinicName} al ${c.clinicPhone}.`;
      return { subject: `Se desactivó el inicio de sesión en dos pasos de su cuenta del Portal del Paciente de ${c.clinicName}`, lead, line: `${lead}\nIniciar sesión: ${signIn}` };
    },
    button: 'Iniciar sesión',
    privacy: (c) => `Por su privacidad, este correo no incluye ningún detalle. ¿Preguntas? Llame a ${c.clinicName} al ${c.clinicPhone}.`,
  },
  code: {
    yourCode: 'Su código de un solo uso es',
    ignore: 'Si usted no lo pidió, puede ignorar este correo; no se cambió nada.',
    contact: (c) => `¿Preguntas? Llame a ${c.clinicName} al ${c.clinicPhone}.`,
  },
  recovery: {
    subject: (c) => `Su código del Portal del Paciente de ${c.clinicName}`,
    lead: (c, kind) => `Alguien pidió ${kind === 'password' ? 'restablecer su contraseña' : 'encontrar su nombre de usuario'} en el Portal del Paciente de ${c.clinicName}.`,
    expires: (minutes) => `Vence en ${minutes} minutos y solo sirve una vez. No se lo dé a nadie: la clínica nunca se lo pedirá.`,
  },
  emailChange: {
    subject: (c) => `Confirme su nuevo correo electrónico para el Portal del Paciente de ${c.clinicName}`,
    lead: (c) => `Alguien que inició sesión en el Portal del Paciente de ${c.clinicName} pidió usar este correo electrónico para su cuenta.`,
    expires: (minutes) => `Escriba el código en la página Cuenta. Vence en ${minutes} minutos y solo sirve una vez. No se lo dé a nadie: la clínica nunca se lo pedirá.`,
  },
  passwordReset: {
    subject: (c) => `Cree una contraseña nueva para su Portal del Paciente de ${c.clinicName}`,
    lead: 'Su clínica le envió un enlace para crear una contraseña nueva para su cuenta del Portal del Paciente.',
    button: 'Crear una contraseña nueva',
    once: (date) => `El enlace solo sirve una vez y vence el ${date}. Al crear una contraseña nueva, se cerrará su sesión en todos sus dispositivos.`,
    ignore: (c) => `Si usted no le pidió esto a su clínica, puede ignorar este correo o llamar a ${c.clinicName} al ${c.clinicPhone}.`,
  },
};

/** Every language's mail text. */
export const MAIL_TEXT: Record<PatientLanguage, MailText> = { en, es };
