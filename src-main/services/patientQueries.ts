/** Read-side helpers over the replica: list items, latest invitation, search. */
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { InvitationStatus } from '../../shared/domain/invitation';
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
