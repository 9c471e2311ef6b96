import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { ThreadSummaryView, ThreadView } from '../../../shared/domain/message';
import type { PatientClient } from '../../fixtures/patients';
import { TEST_CLINIC } from '../../fixtures/portal';
import type { RealPortal } from './realPatients';
import { openPage, signInThroughPage, staffReply, startRealPortal, startThread } from './realPatients';

/** Messages: threads, a new message, a thread with read receipts, replies, closed threads, text shown as text (real server). */
let real: RealPortal;
test.beforeAll(async () => {
  real = await startRealPortal();
});
test.afterAll(async () => {
  await real.portal.stop();
});

/** How the page writes a message's time: the clinic's zone, named (the test's own oracle, not the app's formatter). */
const asShown = (iso: string | null) =>
  new Intl.DateTimeFormat('en-US', { timeZone: TEST_CLINIC.timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso ?? ''));

/**
 * William Hart's two conversations: an open one assigned to Dr. Patel with two unread answers, and
 * an older one the desk closed without answering (so his message there was never marked read).
 */
async function williamWithThreads(): Promise<{ pat: PatientClient; dose: ThreadView; results: ThreadView }> {
  const pat = await real.newPatient('William', 'Hart');
  const results = await startThread(pat, 'Test results', 'Are my results in?');
  const closed = await real.team.desk.apply('setThreadStatus', { threadId: results.id, status: 'closed', seenThroughMessageId: results.messages[0]?.id ?? null });
  expect(closed.status).toBe('applied');
  const dose = await startThread(pat, 'Question about my dose', 'Can I take <b>hi</b> twice?\nThanks.');
  expect((await real.team.desk.apply('assignThread', { threadId: dose.id, staffUserId: real.team.doctor.id })).status).toBe('applied');
  await staffReply(real.team.doctor, dose.id, 'No, once a day.');
  await staffReply(real.team.doctor, dose.id, 'Call us if it gets worse.');
  return { pat, dose, results };
}

async function openMessages(page: Page, pat: PatientClient): Promise<void> {
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await openPage(page, `${real.portal.url}/messages`, 'Messages');
}

/** Counts the state-changing requests the page sends to `path`, with their bodies. */
function watchPosts(page: Page, path: string | RegExp): unknown[] {
  const sent: unknown[] = [];
  page.on('request', (request) => {
    const at = new URL(request.url()).pathname;
    if (request.method() === 'POST' && (typeof path === 'string' ? at === path : path.test(at))) {
      sent.push(request.postDataJSON());
    }
  });
  return sent;
}

test('the thread list shows subject, last message time, unread count and status', async ({ page }) => {
  const { pat, dose } = await williamWithThreads();
  const listed = (await pat.get<ThreadSummaryView[]>('/api/messages')).body;
  await openMessages(page, pat);
  const list = page.getByRole('region', { name: 'Your conversations' }).getByRole('listitem');
  await expect(list).toHaveCount(2);
  await expect(list.first().getByRole('link', { name: 'Question about my dose (2 unread)' })).toBeVisible();
  const lastAt = listed.find((t) => t.id === dose.id)?.lastMessageAt ?? null;
  await expect(list.first()).toContainText(`Last message ${asShown(lastAt)} · Open · With Dr. Sam Patel`);
  await expect(list.last()).toContainText('Test results');
  await expect(list.last()).toContainText('Closed');
});

test('with no threads the list says so', async ({ page }) => {
  const pat = await real.newPatient('Nora');
  await openMessages(page, pat);
  await expect(page.getByRole('region', { name: 'Your conversations' })).toContainText('You have no messages yet.');
});

test('a new message is checked, sent and listed', async ({ page }) => {
  const pat = await real.newPatient('William');
  await openMessages(page, pat);
  const sent = watchPosts(page, '/api/messages');
  const form = page.getByRole('region', { name: 'New message' });
  await form.getByRole('button', { name: 'Send message' }).click();
  await expect(form.getByLabel('Subject')).toHaveAccessibleDescription('Enter a subject.');
  await expect(form.getByLabel('Message', { exact: true })).toHaveAccessibleDescription(/Enter your message\./);
  await expect(form.getByLabel('Subject')).toBeFocused();
  expect(sent).toHaveLength(0);

  await form.getByLabel('Subject').fill('Travel vaccines');
  await form.getByLabel('Message', { exact: true }).fill('Which ones do I need?\nI leave in May.');
  await form.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your message was sent to your care team.' })).toBeVisible();
  expect(sent).toEqual([{ subject: 'Travel vaccines', body: 'Which ones do I need?\nI leave in May.' }]);
  await expect(page.getByRole('link', { name: 'Travel vaccines' })).toBeVisible();
  await expect(form.getByLabel('Subject')).toHaveValue('');
  // The clinic has it, as typed.
  expect((await pat.get<ThreadSummaryView[]>('/api/messages')).body.map((t) => t.subject)).toEqual(['Travel vaccines']);
});

test('a thread shows its messages as plain text with read receipts, and takes a reply', async ({ page }) => {
  const { pat, dose } = await williamWithThreads();
  await openMessages(page, pat);
  const opened = page.waitForResponse((res) => res.url().endsWith(`/api/messages/${dose.id}/read`));
  await page.getByRole('link', { name: /Question about my dose/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Question about my dose' })).toBeFocused();
  const shown = (await (await opened).json()) as ThreadView;
  const first = shown.messages[0];
  expect(first?.readAt).not.toBeNull();

  const messages = page.getByRole('list', { name: 'Messages in this conversation' }).getByRole('listitem');
  await expect(messages).toHaveCount(3);
  // Markup in a body is shown as the characters the patient typed, never as HTML.
  await expect(messages.first().getByText('Can I take <b>hi</b> twice?')).toBeVisible();
  await expect(messages.first()).toContainText(`William Hart (you) · ${asShown(first?.sentAt ?? null)}`);
  // Dr. Patel's answer marked it read.
  await expect(messages.first()).toContainText(`Read ${asShown(first?.readAt ?? null)}`);
  await expect(messages.nth(1)).toContainText('Dr. Sam Patel');
  await expect(messages.nth(1)).not.toContainText('Read');

  const sent = watchPosts(page, `/api/messages/${dose.id}/replies`);
  const reply = page.getByRole('form', { name: 'Reply' });
  await reply.getByRole('button', { name: 'Send reply' }).click();
  await expect(reply.getByLabel('Message')).toHaveAttribute('aria-invalid', 'true');
  expect(sent).toHaveLength(0);

  await reply.getByLabel('Message').fill('Thank you!');
  await reply.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your reply was sent.' })).toBeVisible();
  expect(sent).toEqual([{ body: 'Thank you!' }]);
  await expect(messages).toHaveCount(4);
  await expect(messages.last()).toContainText('Thank you!');
  await expect(messages.last()).toContainText('Not read yet');
  await expect(reply.getByLabel('Message')).toHaveValue('');
});

test('the body "<b>hi</b>" stays literal text', async ({ page }) => {
  const { pat, dose } = await williamWithThreads();
  await staffReply(real.team.doctor, dose.id, '<b>hi</b>');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await openPage(page, `${real.portal.url}/messages/${dose.id}`, 'Question about my dose');
  const last = page.getByRole('list', { name: 'Messages in this conversation' }).getByRole('listitem').last();
  await expect(last.getByText('<b>hi</b>', { exact: true })).toBeVisible();
  await expect(last.getByRole('paragraph').filter({ hasText: /^hi$/ })).toHaveCount(0);
});

test('a closed thread says so and cannot be replied to', async ({ page }) => {
  const { pat, results } = await williamWithThreads();
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  await openPage(page, `${real.portal.url}/messages/${results.id}`, 'Test results');
  await expect(page.getByRole('main')).toContainText('This conversation is closed, so it cannot be replied to.');
  await expect(page.getByRole('form', { name: 'Reply' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send reply' })).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Messages in this conversation' }).getByRole('listitem').first()).toContainText('Not read yet');
  await page.getByRole('link', { name: 'start a new message' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Messages' })).toBeVisible();
});

test('a thread that cannot be found says so, with Retry', async ({ page }) => {
  const { pat } = await williamWithThreads();
  const someoneElse = await real.newPatient('Xia');
  const theirs = await startThread(someoneElse, 'Private', 'Not for William.');
  await signInThroughPage(page, real.portal.url, pat.username, 'Password1');
  // Another patient's conversation is "not found" for William, exactly like one that never existed.
  for (const id of [theirs.id, '00000000-0000-4000-8000-000000000000']) {
    await openPage(page, `${real.portal.url}/messages/${id}`, 'Message');
    await expect(page.getByRole('alert')).toHaveText('We could not find that conversation.');
    await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();
    await expect(page.getByRole('main')).not.toContainText('Not for William.');
  }
});
