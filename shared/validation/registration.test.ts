import { describe, expect, it } from 'vitest';
import { ValidationError } from 'yup';
import { fieldErrors } from './validate';
import { registrationSchema } from './registration';
import { passwordRules } from './password';

const TODAY = '2026-11-26';
const valid = {
  username: 'William2',
  password: 'Password1',
  confirmPassword: 'Password1',
  question1: 'first-pet',
  answer1: 'Rex',
  question2: 'birth-city',
  answer2: 'Springfield',
  dateOfBirth: '04/12/1986',
  registrationId: 'ABCD-2345',
};

/** Field → message for what the default-policy schema refuses (empty when valid). */
function errorsFor(overrides: Partial<typeof valid>, policy: 'default' | 'strong' = 'default'): Record<string, string> {
  try {
    registrationSchema(policy, TODAY).validateSync({ ...valid, ...overrides }, { abortEarly: false });
    return {};
  } catch (err) {
    if (err instanceof ValidationError) {
      return fieldErrors(err);
    }
    throw err;
  }
}

describe('registrationSchema (the patient guide\'s rules)', () => {
  it('accepts the guide\'s own examples', () => {
    expect(errorsFor({})).toEqual({});
  });

  it.each([
    ['a'.repeat(7), true],
    ['a'.repeat(8), false],
    ['a'.repeat(32), false],
    ['a'.repeat(33), true],
    ['will iam2', true],
    ['w.i_l-l@m2', false],
  ])('username %s refused=%s', (username, refused) => {
    expect('username' in errorsFor({ username })).toBe(refused);
  });

  it.each([
    ['Passwo1', 'between 8 and 15'],
    ['Passwor1', null],
    ['Password1234567', null],
    ['Password12345678', 'between 8 and 15'],
    ['Passwordx', '1 number'],
    ['password1', '1 capital letter'],
  ])('password %s → %s', (password, problem) => {
    const errors = errorsFor({ password, confirmPassword: password });
    if (problem === null) {
      expect(errors.password).toBeUndefined();
    } else {
      expect(errors.password).toContain(problem);
    }
  });

  it('wants Re-type Password to match', () => {
    expect(errorsFor({ confirmPassword: 'Password2' }).confirmPassword).toBe('The passwords do not match.');
  });

  it('wants two different questions from the list, each answered in 1 to 64 characters', () => {
    expect(errorsFor({ question2: 'first-pet' }).question2).toMatch(/different question/);
    expect(errorsFor({ question1: '' }).question1).toMatch(/Select one question/);
    expect(errorsFor({ question1: 'made-up' }).question1).toMatch(/Select one question/);
    expect(errorsFor({ answer1: '' }).answer1).toMatch(/short answer/);
    expect(errorsFor({ answer2: 'x'.repeat(65) }).answer2).toMatch(/64/);
    expect(errorsFor({ answer2: 'x'.repeat(64) }).answer2).toBeUndefined();
  });

  it.each([
    ['02/30/2000', 'mm/dd/yyyy'],
    ['02/29/2001', 'mm/dd/yyyy'],
    ['02/29/2000', null],
    ['4/12/1986', null],
    ['04/12/1986', null],
    ['1986-04-12', 'mm/dd/yyyy'],
    ['13/01/1986', 'mm/dd/yyyy'],
    ['11/26/2026', 'in the past'],
    ['11/25/2026', null],
    ['01/01/2030', 'in the past'],
  ])('date of birth %s → %s', (dateOfBirth, problem) => {
    const errors = errorsFor({ dateOfBirth });
    if (problem === null) {
      expect(errors.dateOfBirth).toBeUndefined();
    } else {
      expect(errors.dateOfBirth).toContain(problem);
    }
  });

  it('requires the Registration ID', () => {
    expect(errorsFor({ registrationId: '' }).registrationId).toMatch(/Registration ID/);
  });

  it('writes the password hint from the policy: the guide\'s exact words by default', () => {
    expect(passwordRules('default').hint).toBe('Minimum length of 8 characters and includes 1 number & 1 capital letter (ex: Password1)');
    expect(errorsFor({ password: 'Password1', confirmPassword: 'Password1' }, 'strong').password).toMatch(/between 15 and 64/);
    const common = 'correcthorsebatterystaple';
    expect(errorsFor({ password: common, confirmPassword: common }, 'strong').password).toMatch(/too common/);
  });
});
