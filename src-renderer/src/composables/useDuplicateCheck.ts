import { ref } from 'vue';
import type { DuplicateMatch } from '../../../shared/ipc/contract';
import { parseUsDate } from '../../../shared/time/dateOnly';
import { emailSchema } from '../../../shared/validation/fields';
import { usePatientsStore } from '../stores/patients';

export interface DuplicateCheckInput {
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  email?: string;
}

/**
 * Looks for patients already on file with the same name and date of birth, or the same email.
 * Only a warning: twins and shared family emails are real, so the desk decides.
 */
export function useDuplicateCheck(excludePatientId?: string) {
  const patients = usePatientsStore();
  const matches = ref<DuplicateMatch[]>([]);
  let request = 0;

  async function check(input: DuplicateCheckInput): Promise<void> {
    const givenName = input.givenName?.trim() ?? '';
    const familyName = input.familyName?.trim() ?? '';
    // Dates cross as YYYY-MM-DD, the way they are stored.
    const dateOfBirth = parseUsDate(input.dateOfBirth ?? '') ?? '';
    const typedEmail = input.email?.trim() ?? '';
    const email = emailSchema.isValidSync(typedEmail) ? typedEmail : '';
    const mine = ++request;
    if (!(givenName && familyName && dateOfBirth) && !email) {
      matches.value = [];
      return;
    }
    try {
      const found = await patients.findDuplicates({
        givenName,
        familyName,
        dateOfBirth,
        email,
        ...(excludePatientId ? { excludePatientId } : {}),
      });
      if (mine === request) {
        matches.value = found.filter((match) => match.patientId !== excludePatientId);
      }
    } catch {
      // A check that cannot run only means no warning; saving is still checked by the main process.
      if (mine === request) {
        matches.value = [];
      }
    }
  }

  return { matches, check };
}
