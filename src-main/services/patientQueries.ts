/** Read-side helpers over the replica: list items, latest invitation, search. */
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { INVITATION_ATTENTION_DAYS } from '../../shared/domain/invitation';
import type { InvitationAttentionReason, InvitationStatus } from '../../shared/domain/invitation';
import type { DuplicateMatch, PatientListItem } from '../../shared/ipc/contract';
import { parseIsoDate, parseUsDate } from '../../shared/time/dateOnly';
import { LocalInvitationEntity, LocalPatientEntity } from '../replica/entities';
import type { LocalInvitationRow, LocalPatientRow } from '../replica/entities';
import { foldForSearch, patientName, toInvitationRecord, toPatientRecord } from '../replica/records';
import type { OutboxStatusView } from '../replica/outbox';

export const SEARCH_LIMIT = 200;

/** A date typed as mm/dd/yyyy or yyyy-mm-dd, or null. */
export function parseTypedDate(text: string): string | null {
  const t = text.trim();
  return parseUsDate(t) ?? parseIsoDate(t);
}

/** When an invitation was issued, as far as the console can tell: sent, else last changed. */
function issuedAt(i: LocalInvitationRow): string {
  return i.sentAt ?? i.statusChangedAt;
}

// A resend revokes the old invitation in the same moment it issues the new one: prefer the live one.
const TIE_RANK: Record<InvitationStatus, number> = { queued: 6, sent: 5, failed: 4, locked: 3, registered: 2, expired: 1, revoked: 0 };

export function latestInvitation(invitations: LocalInvitationRow[]): LocalInvitationRow | null {
  let best: LocalInvitationRow | null = null;
  for (const inv of invitations) {
    if (!best) {
      best = inv;
      continue;
    }
    const a = issuedAt(inv);
    const b = issuedAt(best);
    if (a > b || (a === b && TIE_RANK[inv.status] > TIE_RANK[best.status])) {
      best = inv;
    }
  }
  return best;
}

/**
 * Patients whose latest invitation needs the desk: expired (also a sent one past its expiry that
 * the server has not marked yet), delivery failed, locked, or sent and not registered after
 * INVITATION_ATTENTION_DAYS days. Oldest first, so what waited longest is on top.
 */
export async function invitationsNeedingAttention(m: EntityManager, now: Date): Promise<{ patient: LocalPatientRow; reason: InvitationAttentionReason }[]> {
  const candidates = await m.findBy(LocalInvitationEntity, { status: In(['sent', 'failed', 'locked', 'expired']) });
  const patientIds = [...new Set(candidates.map((i) => i.patientId))];
  const found: { patientId: string; reason: InvitationAttentionReason; since: string }[] = [];
  const nowIso = now.toISOString();
  const staleBefore = new Date(now.getTime() - INVITATION_ATTENTION_DAYS * 86_400_000).toISOString();
  for (let i = 0; i < patientIds.length; i += 500) {
    const all = await m.findBy(LocalInvitationEntity, { patientId: In(patientIds.slice(i, i + 500)) });
    const byPatient = new Map<string, LocalInvitationRow[]>();
    for (const inv of all) {
      byPatient.set(inv.patientId, [...(byPatient.get(inv.patientId) ?? []), inv]);
    }
    for (const [patientId, list] of byPatient) {
      const latest = latestInvitation(list);
      const reason = latest ? attentionReason(latest, nowIso, staleBefore) : null;
      if (latest && reason) {
        found.push({ patientId, reason, since: issuedAt(latest) });
      }
    }
  }
  found.sort((a, b) => a.since.localeCompare(b.since));
  const patients = new Map((await m.findBy(LocalPatientEntity, { id: In(found.map((f) => f.patientId)) })).map((p) => [p.id, p]));
  return found.flatMap((f) => {
    const patient = patients.get(f.patientId);
    return patient ? [{ patient, reason: f.reason }] : [];
  });
}

function attentionReason(inv: LocalInvitationRow, nowIso: string, staleBefore: string): InvitationAttentionReason | null {
  switch (inv.status) {
    case 'expired':
    case 'failed':
    case 'locked':
      return inv.status;
    case 'sent':
      if (inv.expiresAt !== null && inv.expiresAt <= nowIso) {
        return 'expired';
      }
      return issuedAt(inv) <= staleBefore ? 'not_registered' : null;
    case 'queued':
    case 'registered':
    case 'revoked':
      return null;
  }
}

export async function invitationsOf(m: EntityManager, patientId: string): Promise<LocalInvitationRow[]> {
  return m.findBy(LocalInvitationEntity, { patientId });
}

export async function toListItems(m: EntityManager, outbox: Pick<OutboxStatusView, 'pendingByPatient'>, patients: LocalPatientRow[]): Promise<PatientListItem[]> {
  const ids = patients.map((p) => p.id);
  const byPatient = new Map<string, LocalInvitationRow[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const invitations = await m.findBy(LocalInvitationEntity, { patientId: In(ids.slice(i, i + 500)) });
    for (const inv of invitations) {
      const list = byPatient.get(inv.patientId) ?? [];
      list.push(inv);
      byPatient.set(inv.patientId, list);
    }
  }
  const pending = await outbox.pendingByPatient(m, ids);
  return patients.map((p) => {
    const latest = latestInvitation(byPatient.get(p.id) ?? []);
    return { patient: toPatientRecord(p), invitation: latest ? toInvitationRecord(latest) : null, pendingChanges: pending.get(p.id) ?? 0 };
  });
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Every word of the query must match: a whole date (mm/dd/yyyy or yyyy-mm-dd) matches the date of
 * birth; anything else is found in the name, email or date of birth, ignoring case and accents.
 */
export async function searchPatients(m: EntityManager, query: string): Promise<LocalPatientRow[]> {
  const words = query.split(/[\s,;]+/).filter((w) => w.length > 0).slice(0, 10);
  const qb = m.createQueryBuilder(LocalPatientEntity, 'p');
  words.forEach((word, i) => {
    const date = parseTypedDate(word);
    if (date) {
      qb.andWhere(`p.dateOfBirth = :d${i}`, { [`d${i}`]: date });
    } else {
      qb.andWhere(`p.searchText LIKE :w${i} ESCAPE '\\'`, { [`w${i}`]: `%${escapeLike(foldForSearch(word))}%` });
    }
  });
  return qb.orderBy('p.familyName', 'ASC').addOrderBy('p.givenName', 'ASC').addOrderBy('p.id', 'ASC').take(SEARCH_LIMIT).getMany();
}

export interface DuplicateQuery {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  email: string;
  excludePatientId?: string;
}

/** Patients who may be the same person: same given and family name and date of birth, or same email. */
export async function findDuplicatePatients(m: EntityManager, q: DuplicateQuery): Promise<DuplicateMatch[]> {
  const matches = new Map<string, DuplicateMatch>();
  const add = (p: LocalPatientRow, reason: DuplicateMatch['reason']): void => {
    if (p.id !== q.excludePatientId && !matches.has(p.id)) {
      matches.set(p.id, { patientId: p.id, name: patientName(p), dateOfBirth: p.dateOfBirth, email: p.email, reason });
    }
  };
  const dob = parseTypedDate(q.dateOfBirth);
  const given = foldForSearch(q.givenName.trim());
  const family = foldForSearch(q.familyName.trim());
  if (dob && given && family) {
    const sameDay = await m.findBy(LocalPatientEntity, { dateOfBirth: dob });
    for (const p of sameDay) {
      if (foldForSearch(p.givenName.trim()) === given && foldForSearch(p.familyName.trim()) === family) {
        add(p, 'same name and date of birth');
      }
    }
  }
  const email = q.email.trim().toLowerCase();
  if (email) {
    const sameEmail = await m.createQueryBuilder(LocalPatientEntity, 'p').where('LOWER(p.email) = :email', { email }).take(20).getMany();
    for (const p of sameEmail) {
      add(p, 'same email');
    }
  }
  return [...matches.values()].slice(0, 20);
}
