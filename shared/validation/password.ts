import type { PasswordPolicy } from '../domain/clinic';

export interface PasswordRules {
  min: number;
  max: number;
  needsNumber: boolean;
  needsCapital: boolean;
  blockCommon: boolean;
  /** The hint under the Password field; the patient guide's exact words for the default policy. */
  hint: string;
}

export const PASSWORD_RULES: Record<PasswordPolicy, PasswordRules> = {
  default: {
    min: 8,
    max: 15,
    needsNumber: true,
    needsCapital: true,
    blockCommon: false,
    hint: 'Minimum length of 8 characters and includes 1 number & 1 capital letter (ex: Password1)',
  },
  strong: {
    min: 15,
    max: 64,
    needsNumber: false,
    needsCapital: false,
    blockCommon: true,
    hint: 'Minimum length of 15 characters; a few unrelated words make a good passphrase',
  },
};

export function passwordRules(policy: PasswordPolicy): PasswordRules {
  return PASSWORD_RULES[policy];
}
