import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUIDE_HELP, GUIDE_STEP_3, GUIDE_STEP_4, renderInvitationLetter } from './invitationLetter';

/** The PDF read back as a patient's printer would see it: pdftotext (poppler-utils). */
function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'letter-'));
  const file = join(dir, 'letter.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

describe('the invitation letter PDF', () => {
  it('carries the clinic, the portal address, the Registration ID and expiry, the letter steps and the guide’s steps 3 and 4', async () => {
    const pdf = await renderInvitationLetter({
      clinicName: 'Clínica Ñandú & Søn',
      clinicPhone: '(555) 010-2030',
      timeZone: 'America/New_York',
      portalUrl: 'https://portal.example.org',
      registrationId: 'ABCD2345',
      expiresAt: '2026-12-19T15:00:00.000Z',
    });
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
  });
});
