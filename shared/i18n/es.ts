/**
 * Spanish for the sentences shared code writes in English (see text.ts): the keys are the English
 * sentences with their numbers as {0}, {1}…; the values use the same placeholders. Plain,
 * patient-level Spanish (usted), with the terms of glossary.es.json. A native speaker's review is
 * still to come.
 */
export const SPANISH_TEXT: Readonly<Record<string, string>> = {
  // The patient guide's hints and the password policies.
  'Minimum length of {0} characters and includes {1} number & {2} capital letter (ex: Password{3})':
    'Mínimo {0} caracteres, con {1} número y {2} letra mayúscula (ej.: Password{3})',
  'Minimum length of {0} characters; a few unrelated words make a good passphrase':
    'Mínimo {0} caracteres; unas cuantas palabras sin relación entre sí forman una buena contraseña',
  'An invitation email will be sent to your email "Inbox." If you do not see the email in your Inbox, check "Junk E-mail."':
    'Le enviaremos un correo de invitación a su "Bandeja de entrada". Si no lo ve allí, revise la carpeta "Correo no deseado".',

  // Security questions (their ids are stored; the wording is shown).
  'What was the name of your first pet?': '¿Cómo se llamaba su primera mascota?',
  'In what city were you born?': '¿En qué ciudad nació?',
  "What is your mother's maiden name?": '¿Cuál es el apellido de soltera de su madre?',
  'What was the name of your first school?': '¿Cómo se llamaba su primera escuela?',
  'What was the make of your first car?': '¿De qué marca era su primer carro?',
  'What is the first name of your childhood best friend?': '¿Cuál es el nombre de su mejor amigo o amiga de la infancia?',
  'What was the last name of your favorite teacher?': '¿Cuál era el apellido de su maestro o maestra favorito?',
  'What street did you grow up on?': '¿En qué calle creció?',

  // Validation messages of the forms a patient fills in (shared/validation).
  'A phone number can use digits, spaces and + ( ) - . only.': 'Un número de teléfono solo puede tener dígitos, espacios y + ( ) - .',
  'Answers can have at most {0} characters.': 'Las respuestas pueden tener como máximo {0} caracteres.',
  'Choose a medication.': 'Elija un medicamento.',
  'Choose a new password that is different from your current one.': 'Elija una contraseña nueva distinta de la actual.',
  'Choose a physician from the list.': 'Elija un médico de la lista.',
  'Choose one from the list.': 'Elija una opción de la lista.',
  'Enter a password.': 'Escriba una contraseña.',
  'Enter a subject.': 'Escriba un asunto.',
  'Enter a username.': 'Escriba un nombre de usuario.',
  'Enter an email address like name@example.com.': 'Escriba un correo electrónico como nombre@ejemplo.com.',
  'Enter an email address.': 'Escriba un correo electrónico.',
  'Enter the Registration ID from your invitation email.': 'Escriba el ID de registro de su correo de invitación.',
  'Enter the answer to your security question.': 'Escriba la respuesta a su pregunta de seguridad.',
  'Enter the days and times that suit you.': 'Escriba los días y las horas que le convienen.',
  'Enter the reason for your visit.': 'Escriba el motivo de su visita.',
  'Enter the {0}-digit code from the email.': 'Escriba el código de {0} dígitos del correo.',
  'Enter your current password.': 'Escriba su contraseña actual.',
  'Enter your date of birth as mm/dd/yyyy (ex: {0}/{1}/{2}).': 'Escriba su fecha de nacimiento como mm/dd/aaaa (ej.: {0}/{1}/{2}).',
  'Enter your date of birth.': 'Escriba su fecha de nacimiento.',
  'Enter your message.': 'Escriba su mensaje.',
  'Enter your phone number.': 'Escriba su número de teléfono.',
  'Enter your username.': 'Escriba su nombre de usuario.',
  'Enter your password.': 'Escriba su contraseña.',
  'Keep it under {0} characters.': 'Use menos de {0} caracteres.',
  'Not a valid id.': 'Este dato no es válido.',
  'Password must contain between {0} and {1} characters.': 'La contraseña debe tener entre {0} y {1} caracteres.',
  'Password must include at least {0} capital letter.': 'La contraseña debe tener al menos {0} letra mayúscula.',
  'Password must include at least {0} number.': 'La contraseña debe tener al menos {0} número.',
  'Provide a short answer for Security Question {0}.': 'Dé una respuesta corta a la pregunta de seguridad {0}.',
  'Re-type your new password.': 'Vuelva a escribir su contraseña nueva.',
  'Re-type your password.': 'Vuelva a escribir su contraseña.',
  'Select one question from the drop down for Security Question {0}.': 'Elija una pregunta de la lista para la pregunta de seguridad {0}.',
  'That email address is too long.': 'Ese correo electrónico es demasiado largo.',
  'That is not a Registration ID.': 'Eso no es un ID de registro.',
  'That password is too long.': 'Esa contraseña es demasiado larga.',
  'That password is too common. Choose another.': 'Esa contraseña es demasiado común. Elija otra.',
  'That phone number is too long.': 'Ese número de teléfono es demasiado largo.',
  'That username is too long.': 'Ese nombre de usuario es demasiado largo.',
  'The code has {0} digits (ex: {1}).': 'El código tiene {0} dígitos (ej.: {1}).',
  'The passwords do not match.': 'Las contraseñas no coinciden.',
  'This is not in the expected form.': 'Este dato no tiene la forma esperada.',
  'This is required.': 'Este dato es obligatorio.',
  'This value is not valid.': 'Este dato no es válido.',
  'Use plain text only.': 'Use solo texto simple.',
  'Username can have at most {0} characters.': 'El nombre de usuario puede tener como máximo {0} caracteres.',
  'Username can use letters, numbers and . _ - @ only.': 'El nombre de usuario solo puede tener letras, números y . _ - @',
  'Username must have at least {0} characters (ex: William{1}).': 'El nombre de usuario debe tener al menos {0} caracteres (ej.: William{1}).',
  'Enter the {0}-digit code from your authenticator app.': 'Escriba el código de {0} dígitos de su aplicación de autenticación.',

  // The server's answers a patient can meet (their codes stay; the portal shows these words).
  'The username or password is not right. Check them and try again.': 'El nombre de usuario o la contraseña no son correctos. Revíselos e intente de nuevo.',
  'Please sign in to continue.': 'Inicie sesión para continuar.',
  'That username is taken. Choose another.': 'Ese nombre de usuario ya existe. Elija otro.',
  'We could not verify your details. Check your date of birth and the Registration ID in your invitation email, and try again.':
    'No pudimos verificar sus datos. Revise su fecha de nacimiento y el ID de registro de su correo de invitación, e intente de nuevo.',
  'This invitation has expired. Ask your clinic to send a new one.': 'Esta invitación venció. Pida a su clínica que le envíe una nueva.',
  'This registration link is not valid. Ask your clinic to send a new invitation.': 'Este enlace de registro no es válido. Pida a su clínica que le envíe una nueva invitación.',
  'This registration link is not valid. Open the link in your most recent invitation email.': 'Este enlace de registro no es válido. Abra el enlace de su correo de invitación más reciente.',
  'This invitation is no longer valid; your clinic may have sent you a newer one. Use the link in the most recent email, or ask your clinic.':
    'Esta invitación ya no es válida; puede que su clínica le haya enviado una más nueva. Use el enlace del correo más reciente o pregunte a su clínica.',
  'This invitation has already been used to register. Sign in with your username and password instead.':
    'Esta invitación ya se usó para registrarse. Inicie sesión con su nombre de usuario y contraseña.',
  'Your session could not be confirmed. Reload the page and try again.': 'No pudimos confirmar su sesión. Vuelva a cargar la página e intente de nuevo.',
  'Something went wrong on our side. Please try again in a moment.': 'Algo salió mal de nuestro lado. Intente de nuevo en un momento.',
  'Something went wrong on our side. Try again in a moment.': 'Algo salió mal de nuestro lado. Intente de nuevo en un momento.',
  'Something went wrong. Try again in a moment.': 'Algo salió mal. Intente de nuevo en un momento.',
  'The portal is not reachable. Try again in a moment.': 'No se puede conectar con el portal. Intente de nuevo en un momento.',
  'The portal cannot reach its database right now. Nothing was changed. Try again in a minute.':
    'El portal no puede llegar a su base de datos en este momento. No se cambió nada. Intente de nuevo en un minuto.',
  'Enter the {0}-digit code from your authenticator app (or one of your recovery codes).':
    'Escriba el código de {0} dígitos de su aplicación de autenticación (o uno de sus códigos de recuperación).',
  'Enter the {0}-digit code from your authenticator app, or one of your recovery codes.':
    'Escriba el código de {0} dígitos de su aplicación de autenticación, o uno de sus códigos de recuperación.',
  'A second factor is already set up for this account.': 'Esta cuenta ya tiene el inicio de sesión en dos pasos.',
  'Two-step sign-in is not set up for this account.': 'Esta cuenta no tiene el inicio de sesión en dos pasos.',
  'We could not find that appointment.': 'No encontramos esa cita.',
  'We could not find that conversation.': 'No encontramos esa conversación.',
  'Choose a medication from your list.': 'Elija un medicamento de su lista.',
  'Choose a start time in the future.': 'Elija una hora de inicio en el futuro.',
  'That medication is no longer active.': 'Ese medicamento ya no está activo.',
  'This appointment is no longer open, so there is nothing to cancel.': 'Esta cita ya no está abierta, así que no hay nada que cancelar.',
  'There is no proposed time to accept for this appointment.': 'No hay una hora propuesta que aceptar para esta cita.',
  'There is no proposed time to decline for this appointment.': 'No hay una hora propuesta que rechazar para esta cita.',
  'The proposed time has already passed. Decline it to ask the clinic for another time.':
    'La hora propuesta ya pasó. Recházela para pedir otra hora a la clínica.',
  'Sorry, that time has just been booked for someone else. Decline the proposal to ask the clinic for another time.':
    'Lo sentimos, esa hora acaba de reservarse para otra persona. Rechace la propuesta para pedir otra hora a la clínica.',
  'Some fields need attention.': 'Revise los datos marcados.',
  // Account recovery (shared/api/account.ts, the recovery service).
  'If the details match an account, we have sent a code to the email address on file. It expires in {0} minutes.':
    'Si los datos coinciden con una cuenta, enviamos un código al correo electrónico registrado. Vence en {0} minutos.',
  'That code is not right or has expired. Start again to get a new code.': 'Ese código no es correcto o ya venció. Empiece de nuevo para recibir otro código.',
  'That answer does not match the one on file. Check the spelling and try again.': 'Esa respuesta no coincide con la registrada. Revise cómo la escribió e intente de nuevo.',
  // Account, contact and renewal answers from the server.
  'That is not your current password.': 'Esa no es su contraseña actual.',
  'That is already your email address.': 'Ese ya es su correo electrónico.',
  'Another patient account uses that email address. Use a different one, or call the clinic.':
    'Otra cuenta de paciente usa ese correo electrónico. Use otro o llame a la clínica.',
  'That code is not right or has expired. Ask for a new code.': 'Ese código no es correcto o ya venció. Pida un código nuevo.',
  'This medication is no longer active. Message your doctor if you still need it.': 'Este medicamento ya no está activo. Escriba a su médico si todavía lo necesita.',
  'A former member of the clinic staff': 'Una persona que ya no trabaja en la clínica',
  'Your security question': 'Su pregunta de seguridad',
  // Sentences with names in them: {name} stands for any text (see text.ts).
  'You have already asked to renew {medication}. Your doctor will answer that request first.':
    'Ya pidió renovar {medication}. Su médico responderá primero esa solicitud.',
  'You already have {0} requests waiting for the clinic. Please wait for an answer, or call {clinic} at {phone}.':
    'Ya tiene {0} solicitudes esperando a la clínica. Espere una respuesta o llame a {clinic} al {phone}.',
  'It is too late to cancel online: appointments can be cancelled up to {0} hours before they start. Please call {clinic} at {phone}.':
    'Ya es tarde para cancelar por internet: las citas se pueden cancelar hasta {0} horas antes. Llame a {clinic} al {phone}.',
  // Who viewed your record (Account) and staff roles.
  'Viewed your medical record': 'Vio su expediente médico',
  'Added to your medical record': 'Agregó algo a su expediente médico',
  'Changed your medical record': 'Cambió su expediente médico',
  'Removed an entry from your medical record': 'Quitó un dato de su expediente médico',
  'Changed your contact details': 'Cambió sus datos de contacto',
  'Opened your medical record': 'Abrió su expediente médico',
  Receptionist: 'Recepcionista',
  Physician: 'Médico',
  Administrator: 'Administrador',
  // Record sections and lab flags (shared/domain/record).
  Problems: 'Problemas de salud',
  Medications: 'Medicamentos',
  Allergies: 'Alergias',
  Immunizations: 'Vacunas',
  'Lab results': 'Resultados de laboratorio',
  'Visit summaries': 'Resúmenes de visitas',
  Normal: 'Normal',
  'Low (below range)': 'Bajo (debajo del rango)',
  'High (above range)': 'Alto (arriba del rango)',
  Abnormal: 'Anormal',
  Critical: 'Crítico',
  'The request is too large.': 'La solicitud es demasiado grande.',
};
