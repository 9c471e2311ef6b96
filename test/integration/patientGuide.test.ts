import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JUNK_MAIL_HINT } from '../../shared/domain/invitation';
import en from '../../portal-server/web/src/locales/en.json';

/**
 * The patient guide (docs/patient-guide.md, a copy of the clinic's printed guide) is the patients'
 * contract: the Complete Registration form and the Sign In page use its English words exactly.
 */
const root = join(__dirname, '..', '..');
const guide = readFileSync(join(root, 'docs', 'patient-guide.md'), 'utf8').replace(/&amp;/g, '&');
const form = readFileSync(join(root, 'portal-server', 'web', 'src', 'components', 'RegistrationForm.vue'), 'utf8');

/**
 * :label="$t('…')" and :hint="$t('…')" in the form's template, in order, said in English: the
 * words live in locales/en.json since the portal speaks Spanish too (issue 15).
 */
function attributes(name: 'label' | 'hint'): string[] {
  const messages = en as unknown as Record<string, Record<string, string>>;
  return [...form.matchAll(new RegExp(`(?<![\\w-]):${name}="\\$t\\('([\\w.]+)'\\)"`, 'g'))].map((m) => {
    const [group = '', key = ''] = (m[1] ?? '').split('.');
    return messages[group]?.[key] ?? `missing ${m[1] ?? ''}`;
  });
}

describe('the English registration texts are the guide’s', () => {
  it('every label of the Complete Registration form is a label of the guide, in the guide’s order', () => {
    const labels = attributes('label');
    expect(labels).toEqual([
      'Username',
      'Password',
      'Re-type Password',
      'Security Question 1',
      'Answer',
      'Security Question 2',
      'Answer',
      'Account Verification 1: Please enter Date of Birth',
      'Account Verification 2: Please enter Registration ID',
    ]);
    let from = 0;
    for (const label of labels) {
      const at = guide.indexOf(`${label}\t`, from);
      expect(at, label).toBeGreaterThanOrEqual(0);
      from = at + label.length;
    }
  });

  it('the form’s fixed hints are the guide’s hints word for word', () => {
    const hints = attributes('hint');
    expect(hints).toEqual([
      'Date of Birth will be in the following format: mm/dd/yyyy',
      'The registration ID can be found on your Patient Portal invite you received via email.',
    ]);
    for (const hint of hints) {
      expect(guide).toContain(`<small>${hint}</small>`);
    }
  });

  it('the Sign In page’s Junk E-mail hint is the guide’s step 1', () => {
    expect(guide).toContain(JUNK_MAIL_HINT);
    const signIn = readFileSync(join(root, 'portal-server', 'web', 'src', 'views', 'SignInView.vue'), 'utf8');
    expect(signIn).toContain('{{ tx(JUNK_MAIL_HINT) }}');
  });
});
