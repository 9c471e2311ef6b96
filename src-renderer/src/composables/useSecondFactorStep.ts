import { ref } from 'vue';
import type { SignInEnrolment } from '../../../shared/ipc/contract';
import { ConsoleError } from '../api';
import { useAppStore } from '../stores/app';

/**
 * The second step of a staff sign-in (issue 13): after the right password the server may ask for
 * a code from the authenticator app, or — when the clinic requires one this person has not set up
 * — for setting one up first. The password stays in the form; the code is asked next to it.
 * `enrol` asks for the secret to set up (by default from this console's server; a joining desk asks the new one).
 */
export function useSecondFactorStep(enrol?: (username: string, password: string) => Promise<SignInEnrolment>) {
  const app = useAppStore();
  const enrolmentFor = enrol ?? ((username: string, password: string) => app.enrolmentAtSignIn(username, password));
  const stage = ref<'password' | 'code' | 'enrol'>('password');
  const enrolment = ref<SignInEnrolment | null>(null);

  /** True when the refusal only asks for the next step (the caller shows it instead of an error). */
  async function nextStepFor(error: unknown, username: string, password: string): Promise<boolean> {
    if (!(error instanceof ConsoleError)) {
      return false;
    }
    if (error.code === 'second_factor_required') {
      stage.value = 'code';
      return true;
    }
    if (error.code === 'second_factor_enrolment_required') {
      enrolment.value = await enrolmentFor(username, password);
      stage.value = 'enrol';
      return true;
    }
    return false;
  }

  function reset(): void {
    stage.value = 'password';
    enrolment.value = null;
  }

  return { stage, enrolment, nextStepFor, reset };
}
