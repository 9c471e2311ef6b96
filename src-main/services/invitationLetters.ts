import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../../shared/api/errors';
import { isApiErrorResponse } from '../../shared/api/errors';
import type { StaffRole } from '../../shared/domain/staff';
import type { FetchLike } from '../net/serverClient';
import { joinUrl, serverHeaders } from '../net/serverClient';
import type { Session } from '../session/session';

const LETTER_OFFLINE = 'The clinic server is not reachable. Printing an invitation letter makes a new Registration ID on the server, so it needs a connection.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DESK_ROLES: readonly StaffRole[] = ['receptionist', 'physician', 'admin'];

export interface InvitationLetterOptions {
  session: Session;
  serverUrl: string;
  fetch: FetchLike;
  /** Where letters are saved (the console's data folder; readable by this account only). */
  lettersDir: string;
  /** Opens the saved PDF for printing: Electron's shell in the app (a thin adapter), nothing in tests. */
  openFile: (file: string) => Promise<void>;
  /** After a print the server holds a new invitation: pull it so the desk sees it at once. */
  afterPrint: () => void;
  now: () => Date;
}

/**
 * Prints a patient's invitation letter. The server makes a new Registration ID for every print
 * (it stores only a keyed hash, so no earlier ID can be printed again) and the console sees the ID
 * only inside the PDF, which it saves and opens. Online only: nothing is queued.
 */
export class InvitationLetterService {
  constructor(private readonly o: InvitationLetterOptions) {}

  async print(patientId: string): Promise<{ file: string }> {
    const { staff } = await this.o.session.requireSignedIn();
    if (!DESK_ROLES.includes(staff.role)) {
      throw new DomainError('forbidden', 'Only the front desk, a physician or an administrator can print an invitation letter.');
    }
    if (!UUID.test(patientId)) {
      throw new DomainError('not_found', 'That patient is not known to the clinic server.');
    }
    const token = await this.o.session.token();
    let res: Response;
    try {
      res = await this.o.fetch(joinUrl(this.o.serverUrl, `/api/staff/patients/${encodeURIComponent(patientId)}/invitation-letter`), {
        method: 'POST',
        headers: { ...serverHeaders(token, false, false), accept: 'application/pdf, application/json' },
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      throw new DomainError('offline', LETTER_OFFLINE);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 201 || res.headers.get('content-type') !== 'application/pdf') {
      let body: unknown = null;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        // Not JSON: judged by the status alone.
      }
      if (isApiErrorResponse(body)) {
        throw new DomainError(body.error.code, body.error.message, body.error.fields);
      }
      throw new DomainError('internal', 'The clinic server could not make the letter. Try again in a moment.');
    }
    await mkdir(this.o.lettersDir, { recursive: true, mode: 0o700 });
    const stamp = this.o.now().toISOString().replace(/[:.]/g, '-');
    const file = join(this.o.lettersDir, `invitation-letter-${stamp}-${patientId.slice(0, 8)}.pdf`);
    await writeFile(file, bytes, { mode: 0o600 });
    this.o.afterPrint();
    await this.o.openFile(file);
    return { file };
  }
}
