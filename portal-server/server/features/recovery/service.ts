/**
 * Forgot password and forgot username. Identity is proved by a one-time code sent to the email on
 * file AND the answer to one security question. Nothing the server says before the code is
 * proved depends on whether an account matched.
 */
import { lockKey } from '../../../../shared/node/db';
import { randomInt } from 'node:crypto';
import { In, IsNull, LessThan, MoreThan } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { mixed, object } from 'yup';
import type {
  RecoveryCompleteResponse,
  RecoveryKind,
  RecoveryStartResponse,
  RecoveryVerifyResponse,
} from '../../../../shared/api/account';
import { RECOVERY_CODE_LIFETIME_MINUTES, RECOVERY_FAILED_MESSAGE, RECOVERY_MAX_TRIES, RECOVERY_STARTED_MESSAGE } from '../../../../shared/api/account';
import { DomainError } from '../../../../shared/api/errors';
import { SECURITY_QUESTIONS } from '../../../../shared/domain/securityQuestions';
import { AccountRecoveryEntity } from '../../../../shared/node/entities/recovery';
import type { AccountRecoveryRow } from '../../../../shared/node/entities/recovery';
import { PatientAccountEntity, PatientEntity } from '../../../../shared/node/entities/server';
import type { ClinicRow, PatientAccountRow, PatientRow } from '../../../../shared/node/entities/server';
import { hashPassword, keyedHash, newId, normaliseAnswer, sameHash, verifyPassword } from '../../../../shared/node/secrets';
import { parseUsDate, todayInZone } from '../../../../shared/time/dateOnly';
import {
  forgotPasswordSchema,
  forgotUsernameSchema,
  recoverPasswordSchema,
  recoverUsernameSchema,
  recoveryCodeFormSchema,
} from '../../../../shared/validation/account';
import { validateOrThrow } from '../../../../shared/validation/validate';
import { requirePatientPassword } from '../password-strength/strength';
import type { ServerContext } from '../../context';
import { afterCommit } from '../../context';
import { audit } from '../audit/audit';
import { requireClinic } from '../clinic/service';
import { notifyPasswordChanged } from '../mail/notify';
import { patientMailLanguage } from '../mail/mailLayout';
import { enqueueMail } from '../mail/outbox';
import type { RecoveryCodeMailPayload } from '../mail/templates';
import { deleteSessionsOf } from '../patient-session/service';
import { clearAccountLockout } from '../sign-in-lockout/lockout';

const CODE_LIFETIME_MS = RECOVERY_CODE_LIFETIME_MINUTES * 60_000;
/** At most this many codes reach one inbox per hour, however many addresses ask. */
const MAX_CODES_PER_ACCOUNT_PER_HOUR = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const failed = (): DomainError => new DomainError('verification_failed', RECOVERY_FAILED_MESSAGE);
const WRONG_ANSWER = 'That answer does not match the one on file. Check the spelling and try again.';

const kindSchema = object({
  kind: mixed<RecoveryKind>()
    .oneOf(['password', 'username'], 'Choose whether you forgot your password or your username.')
    .required('Choose whether you forgot your password or your username.'),
});

let dummy: Promise<string> | undefined;
/** Verified against where no real answer hash exists, so a failure costs the same time as a real check. */
const dummyHash = (): Promise<string> => (dummy ??= hashPassword('no such answer'));

/** The code is bound to its recovery: the same six digits hash differently in every row. */
function codeHashOf(ctx: ServerContext, recoveryId: string, code: string): string {
  return keyedHash(ctx.secret, `recovery:${recoveryId}:${code}`);
}

function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** Starts a recovery. Always the same answer: a fresh recoveryId and the same sentence. */
export async function startRecovery(ctx: ServerContext, body: unknown, ip: string | null): Promise<RecoveryStartResponse> {
  const clinic = await ctx.db.read(requireClinic);
  const { kind } = validateOrThrow(kindSchema, body);
  const now = ctx.now();
  const lookup =
    kind === 'password'
      ? { kind, username: validateOrThrow(forgotPasswordSchema, body).username }
      : { kind, ...validateOrThrow(forgotUsernameSchema(todayInZone(clinic.timeZone, now)), body) };
  const id = newId();
  const code = newCode();
  await ctx.db.write(async (m) => {
    // Housekeeping: recoveries a day past their expiry are of no use to anyone.
    await m.delete(AccountRecoveryEntity, { expiresAt: LessThan(new Date(now.getTime() - 86_400_000).toISOString()) });
    const found = lookup.kind === 'password' ? await byUsername(m, clinic, lookup.username) : await byEmailAndBirth(m, clinic, lookup.email, lookup.dateOfBirth);
    if (found) {
      // The hourly count and the new code, one request at a time per account.
      await lockKey(m, `recovery-start:${found.account.id}`);
    }
    const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
    const mailable = found !== null && (await m.countBy(AccountRecoveryEntity, { accountId: found.account.id, createdAt: MoreThan(hourAgo) })) < MAX_CODES_PER_ACCOUNT_PER_HOUR;
    if (found && mailable) {
      // Only the newest code works: older open recoveries of this account end here.
      await m.update(AccountRecoveryEntity, { accountId: found.account.id, usedAt: IsNull() }, { usedAt: now.toISOString() });
    }
    const row: AccountRecoveryRow = {
      id,
      clinicId: clinic.id,
      // Over the hourly limit the row behaves like a request that matched nothing.
      accountId: found && mailable ? found.account.id : null,
      kind,
      codeHash: codeHashOf(ctx, id, code),
      questionNumber: randomInt(1, 3),
      failedTries: 0,
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS).toISOString(),
      usedAt: null,
      createdAt: now.toISOString(),
      ip,
    };
    await m.insert(AccountRecoveryEntity, row);
    if (found && mailable) {
      const payload: RecoveryCodeMailPayload = { clinicName: clinic.name, clinicPhone: clinic.phone, kind, code, minutes: RECOVERY_CODE_LIFETIME_MINUTES, language: patientMailLanguage(found.patient) };
      await enqueueMail(m, ctx.secret, { clinicId: clinic.id, recipient: found.patient.email, template: 'recoveryCode', payload, patientId: found.patient.id, recoveryId: row.id }, now);
    }
    const detail = `kind=${kind}${found ? (mailable ? '' : ' mail=over-hourly-limit') : ' match=none'}`;
    await audit(m, clinic.id, { kind: 'anonymous', id: found?.account.id ?? null, ip }, 'patient.recovery_start', { type: 'recovery', id }, now, detail);
  });
  afterCommit(ctx);
  return { recoveryId: id, message: RECOVERY_STARTED_MESSAGE };
}

interface Match {
  account: PatientAccountRow;
  patient: PatientRow;
}

async function byUsername(m: EntityManager, clinic: ClinicRow, username: string): Promise<Match | null> {
  const account = await m.findOneBy(PatientAccountEntity, { usernameNormalized: username.toLowerCase(), clinicId: clinic.id });
  const patient = account ? await m.findOneBy(PatientEntity, { id: account.patientId }) : null;
  return account && patient && !patient.deletedAt ? { account, patient } : null;
}

/**
 * The email on file (any case) and the date of birth. Two accounts with the same email and date
 * of birth (twins sharing an inbox) cannot be told apart here: neither gets a code, and the
 * clinic's front desk helps instead.
 */
async function byEmailAndBirth(m: EntityManager, clinic: ClinicRow, email: string, dateOfBirth: string): Promise<Match | null> {
  const dob = parseUsDate(dateOfBirth);
  if (!dob) {
    return null;
  }
  const patients = await m
    .createQueryBuilder(PatientEntity, 'p')
    .where('p.clinicId = :clinicId', { clinicId: clinic.id })
    .andWhere('LOWER(p.email) = :email', { email: email.trim().toLowerCase() })
    .andWhere('p.dateOfBirth = :dob', { dob })
    .andWhere('p.deletedAt IS NULL')
    .getMany();
  if (patients.length === 0) {
    return null;
  }
  const accounts = await m.findBy(PatientAccountEntity, { patientId: In(patients.map((p) => p.id)), clinicId: clinic.id });
  const account = accounts.length === 1 ? accounts[0] : undefined;
  const patient = account ? patients.find((p) => p.id === account.patientId) : undefined;
  return account && patient ? { account, patient } : null;
}

/** The recoveryId (null when it cannot be one of ours) and the code, checked for shape only. */
function readCode(body: unknown): { recoveryId: string | null; code: string } {
  const { code } = validateOrThrow(recoveryCodeFormSchema, body);
  const id = typeof body === 'object' && body !== null ? (body as { recoveryId?: unknown }).recoveryId : undefined;
  return { recoveryId: typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : null, code };
}

function isLive(ctx: ServerContext, row: AccountRecoveryRow): boolean {
  return row.usedAt === null && row.expiresAt > ctx.now().toISOString() && row.failedTries < RECOVERY_MAX_TRIES;
}

async function countFailure(ctx: ServerContext, m: EntityManager, row: AccountRecoveryRow, what: 'code' | 'answer', ip: string | null): Promise<number> {
  const failedTries = row.failedTries + 1;
  await m.update(AccountRecoveryEntity, { id: row.id }, { failedTries });
  await audit(m, row.clinicId, { kind: 'anonymous', id: row.accountId, ip }, 'patient.recovery_failed', { type: 'recovery', id: row.id }, ctx.now(), `wrong=${what} tries=${failedTries}`);
  return failedTries;
}

type CodeCheck = { ok: true; row: AccountRecoveryRow; account: PatientAccountRow } | { ok: false };

/**
 * In the caller's transaction: the recovery is live and the code is right. A wrong code on a live
 * recovery counts as a try — on a row that matched no account too, so both behave alike.
 */
async function checkCode(ctx: ServerContext, m: EntityManager, recoveryId: string | null, code: string, ip: string | null): Promise<CodeCheck> {
  // Guesses at one code, sent at once to one or several instances, are counted one after another.
  await lockKey(m, `recovery:${recoveryId ?? ''}`);
  const row = recoveryId ? await m.findOneBy(AccountRecoveryEntity, { id: recoveryId }) : null;
  if (!row || !isLive(ctx, row)) {
    return { ok: false };
  }
  const codeOk = sameHash(codeHashOf(ctx, row.id, code), row.codeHash);
  const account = codeOk && row.accountId ? await m.findOneBy(PatientAccountEntity, { id: row.accountId }) : null;
  if (!account) {
    await countFailure(ctx, m, row, 'code', ip);
    return { ok: false };
  }
  return { ok: true, row, account };
}

function questionText(account: PatientAccountRow, n: number): string {
  const id = n === 1 ? account.question1 : account.question2;
  return SECURITY_QUESTIONS.find((q) => q.id === id)?.text ?? 'Your security question';
}

/** Step 2: the emailed code → the wording of one of the account's security questions. */
export async function verifyRecovery(ctx: ServerContext, body: unknown, ip: string | null): Promise<RecoveryVerifyResponse> {
  const { recoveryId, code } = readCode(body);
  const check = await ctx.db.write((m) => checkCode(ctx, m, recoveryId, code, ip));
  if (!check.ok) {
    throw failed();
  }
  return { question: questionText(check.account, check.row.questionNumber) };
}

type Completion = { ok: true; response: RecoveryCompleteResponse } | { ok: false; error: DomainError };

/**
 * Step 3: code again, the answer, and for a password recovery the new password. Three phases like
 * registration: check (counting a wrong code), hash outside the write lock, then check again and
 * write — so slow hashing never holds the lock and two racing requests cannot both succeed.
 */
export async function completeRecovery(ctx: ServerContext, body: unknown, ip: string | null): Promise<RecoveryCompleteResponse> {
  const clinic = await ctx.db.read(requireClinic);
  const { recoveryId, code } = readCode(body);
  const { answer } = validateOrThrow(recoverUsernameSchema, body);

  const check = await ctx.db.write((m) => checkCode(ctx, m, recoveryId, code, ip));
  // Only someone holding the code learns what a valid new password needs; nothing is counted for it.
  const newPassword = check.ok && check.row.kind === 'password' ? validateOrThrow(recoverPasswordSchema(clinic.passwordPolicy), body).password : null;
  if (check.ok && newPassword !== null) {
    requirePatientPassword(clinic.passwordPolicy, newPassword, [check.account.username, clinic.name]);
  }

  const answerHash = check.ok ? (check.row.questionNumber === 1 ? check.account.answer1Hash : check.account.answer2Hash) : await dummyHash();
  const answerOk = (await verifyPassword(answerHash, normaliseAnswer(answer))) && check.ok;
  if (!check.ok) {
    throw failed();
  }
  const passwordHash = answerOk && newPassword !== null ? await hashPassword(newPassword) : null;

  const result = await ctx.db.write(async (m): Promise<Completion> => {
    await lockKey(m, `recovery:${check.row.id}`);
    const row = await m.findOneBy(AccountRecoveryEntity, { id: check.row.id });
    if (!row || !isLive(ctx, row)) {
      return { ok: false, error: failed() };
    }
    if (!answerOk) {
      const tries = await countFailure(ctx, m, row, 'answer', ip);
      return { ok: false, error: tries >= RECOVERY_MAX_TRIES ? failed() : new DomainError('verification_failed', WRONG_ANSWER, { answer: WRONG_ANSWER }) };
    }
    const now = ctx.now();
    const account = await m.findOneByOrFail(PatientAccountEntity, { id: check.account.id });
    await m.update(AccountRecoveryEntity, { accountId: account.id, usedAt: IsNull() }, { usedAt: now.toISOString() });
    const actor = { kind: 'patient' as const, id: account.id, ip };
    if (row.kind === 'password' && passwordHash) {
      // A new password signs out every browser, and lifts a sign-in lockout.
      await m.update(PatientAccountEntity, { id: account.id }, { passwordHash, updatedAt: now.toISOString() });
      await clearAccountLockout(m, 'patient', account.id);
      await deleteSessionsOf(m, account.id);
      await audit(m, account.clinicId, actor, 'patient.password_reset', { type: 'recovery', id: row.id }, now);
      await notifyPasswordChanged({ ctx, m, clinic }, account.patientId, actor);
    } else {
      await audit(m, account.clinicId, actor, 'patient.username_recovered', { type: 'recovery', id: row.id }, now);
    }
    return { ok: true, response: { kind: row.kind, username: account.username } };
  });
  afterCommit(ctx);
  if (!result.ok) {
    throw result.error;
  }
  return result.response;
}
