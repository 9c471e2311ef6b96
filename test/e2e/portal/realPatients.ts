import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { ClinicTeam, PatientClient } from '../../fixtures/patients';
import { clinicTeam, registerPatient } from '../../fixtures/patients';
import type { TestPortal } from '../../fixtures/portal';
import { startTestPortal } from '../../fixtures/portal';
import type { PortalConfig } from '../../../portal-server/server/index';

/**
 * Specs against a REAL portal server: the clinic's staff, and patients registered through the
 * invitation email (their password is Password1; answers Rex / Springfield).
 */
export interface RealPortal {
  portal: TestPortal;
  team: ClinicTeam;
  /** Registers a new patient with a unique name and email. */
  newPatient(givenName: string): Promise<PatientClient>;
}

export async function startRealPortal(config: Partial<PortalConfig> = {}): Promise<RealPortal> {
  const portal = await startTestPortal({ config });
  const team = await clinicTeam(portal);
  let n = 0;
  return {
    portal,
    team,
    newPatient: async (givenName) => {
      n += 1;
      return registerPatient(portal, team.desk.console, { givenName, familyName: `Tester${n}` });
    },
  };
}

/** The security answer registerPatient chose for the question the page shows. */
export const ANSWERS: Record<string, string> = {
  'What was the name of your first pet?': 'Rex',
  'In what city were you born?': 'Springfield',
};

export async function signInThroughPage(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Welcome/ })).toBeVisible();
}
