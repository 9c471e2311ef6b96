import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { waitForMail } from '../../fixtures/mail';
import type { TestPortal } from '../../fixtures/portal';
import { TestConsole, signInStaff, startTestPortal } from '../../fixtures/portal';
import type { ConsoleUnderTest } from '../console/consoleHarness';
import { openConsole } from '../console/consoleHarness';
import { DEMO, ana, james, physician, receptionist, signIn, startDemoPortal } from '../console/demoDesk';
import { signInThroughPage } from '../portal/realPatients';
import type { Screen, WalkContext } from './screens';
import { CONSOLE_AT_200_PERCENT, CONSOLE_SCREENS, PHONE, PORTAL_SCREENS } from './screens';

/**
 * WCAG 2.1 A and AA, checked by axe-core on every screen of both apps in the states listed in
 * screens.ts, against a real portal server seeded with the demo clinic. Any violation of any impact
 * fails. The portal is walked at phone width, the console at 640 CSS px (1280 px at 200% zoom).
 */
/**
 * Helpers that run in the page: plain browser JavaScript, as this project's test code has no DOM
 * types. Evaluated, not added as a script tag, which both apps' Content-Security-Policy refuses.
 */
const IN_PAGE = readFileSync(resolve(__dirname, 'inPage.js'), 'utf8');
interface InPage {
  walkRouteNames(): string[];
  walkSidewaysScroll(): string[];
}

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let portal: TestPortal;
let ctx: WalkContext;
let desk: ConsoleUnderTest | undefined;
/** A second server, not set up, for the console's setup screen. */
let fresh: TestPortal | undefined;

test.describe.configure({ timeout: 90_000 });

test.beforeAll(async () => {
  portal = await startDemoPortal();
  const deskToken = (await signInStaff(portal.url, receptionist.username, receptionist.password)).token;
  const frontDesk = new TestConsole(portal.url, deskToken);
  let invited = 0;
  ctx = {
    portalUrl: portal.url,
    invitationLink: async () => {
      invited += 1;
      const email = `walk.${invited}@example.com`;
      await frontDesk.preRegister({ email, givenName: 'Maria', familyName: `Walk${invited}`, dateOfBirth: '1986-04-12' });
      await portal.handle.flushMail();
      const mail = await waitForMail(portal.mailDir, email);
      if (!mail.link) {
        throw new Error('The invitation has no link.');
      }
      return mail.link;
    },
  };
});
test.afterEach(async () => {
  await desk?.close();
  desk = undefined;
  await fresh?.stop();
  fresh = undefined;
});
test.afterAll(async () => {
  await portal.stop();
});

async function expectNoViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    where: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
  }));
  expect(found, `axe found WCAG 2.1 AA problems on ${page.url()}`).toEqual([]);
}

/** The named routes of the app on the page, read from its own router. */
async function routeNames(page: Page): Promise<string[]> {
  await page.evaluate(IN_PAGE);
  return page.evaluate(() => (globalThis as unknown as InPage).walkRouteNames());
}

test.describe('patient portal at phone width', () => {
  test.use({ viewport: PHONE });

  for (const screen of PORTAL_SCREENS) {
    test(screen.state, async ({ page }) => {
      if (screen.who === 'patient') {
        await signInThroughPage(page, portal.url, james.username, james.password);
      }
      if (screen.who === 'patientEs') {
        await page.goto(`${portal.url}/sign-in`);
        await page.getByLabel('Username').fill(ana.username);
        await page.getByLabel('Password').fill(ana.password);
        await page.getByRole('button', { name: 'Sign In' }).click();
        // Her choice is saved the first time; after that the portal opens in Spanish by itself.
        await expect(page.getByRole('heading', { level: 1, name: /^(Welcome|Bienvenido)/ })).toBeVisible();
        const spanish = page.getByRole('group', { name: /^(Language|Idioma)/ }).getByRole('button', { name: 'Español' });
        if ((await spanish.getAttribute('aria-pressed')) !== 'true') {
          await spanish.click();
        }
        await expect(page.locator('html')).toHaveAttribute('lang', 'es');
      }
      await screen.open(page, ctx);
      if (screen.title) {
        await expect(page).toHaveTitle(screen.title);
      }
      await expectNoViolations(page);
      expect(await sidewaysScroll(page), 'the page scrolls sideways on a phone').toEqual([]);
    });
  }

  test('the walk visits every page of the portal', async ({ page }) => {
    await page.goto(`${portal.url}/sign-in`);
    await expect(page.getByRole('heading', { level: 1, name: 'Sign In' })).toBeVisible();
    const routes = await routeNames(page);
    expect(routes).toContain('record');
    expect(coverageGaps(routes, PORTAL_SCREENS)).toEqual([]);
  });
});

const consoleAs = { admin: DEMO.admin, physician, patient: null, patientEs: null, guest: null } as const;

test.describe('staff console at 640 CSS px', () => {
  test.use({ viewport: CONSOLE_AT_200_PERCENT });

  for (const screen of CONSOLE_SCREENS) {
    test(screen.state, async ({ page }) => {
      const server = screen.freshServer ? (fresh = await startTestPortal({ setUp: false })) : portal;
      // A console that hosts a server nobody has set up shows setup first.
      desk = await openConsole(page, { serverUrl: server.url, host: screen.freshServer || screen.hosting ? server.handle : null });
      const who = consoleAs[screen.who];
      if (who) {
        await signIn(page, who);
      }
      await screen.open(page, ctx);
      if (screen.title) {
        await expect(page).toHaveTitle(screen.title);
      }
      await expectNoViolations(page);
      expect(await sidewaysScroll(page), 'the console scrolls sideways at 640 CSS px').toEqual([]);
    });
  }

  test('the walk visits every view of the console', async ({ page }) => {
    desk = await openConsole(page, { serverUrl: portal.url });
    await signIn(page, DEMO.admin);
    const routes = await routeNames(page);
    expect(routes).toContain('patients');
    expect(coverageGaps(routes, CONSOLE_SCREENS)).toEqual([]);
  });
});

/**
 * Reflow (WCAG 1.4.10): nothing scrolls sideways, neither the page nor any box in it. Only a wide
 * grid may scroll inside its own named region (role="region" with tabindex, so a keyboard can
 * scroll it too). The answer names each box that scrolls and what sticks out of it.
 */
async function sidewaysScroll(page: Page): Promise<string[]> {
  await page.evaluate(IN_PAGE);
  return page.evaluate(() => (globalThis as unknown as InPage).walkSidewaysScroll());
}

function coverageGaps(routes: string[], screens: Screen[]): string[] {
  const walked = new Set(screens.flatMap((s) => s.routes));
  return routes.filter((name) => !walked.has(name));
}
