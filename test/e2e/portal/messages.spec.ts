import { expect, test } from '@playwright/test';
import { mockPortal, openPage, usePortalServer } from './portalMock';

/** Messages: threads, a new message, a thread with read receipts, replies, closed threads, text shown as text. */

const url = usePortalServer(test);

test('the thread list shows subject, last message time, unread count and status', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/messages'), 'Messages');
  const list = page.getByRole('region', { name: 'Your conversations' }).getByRole('listitem');
  await expect(list).toHaveCount(2);
  await expect(list.first().getByRole('link', { name: 'Question about my dose (2 unread)' })).toBeVisible();
  await expect(list.first()).toContainText('Last message Nov 21, 2026, 9:05 AM EST · Open · With Dr. Sam Patel');
  await expect(list.last()).toContainText('Closed');
});

test('with no threads the list says so', async ({ page }) => {
  await mockPortal(page, { threads: [] });
  await openPage(page, url('/messages'), 'Messages');
  await expect(page.getByRole('region', { name: 'Your conversations' })).toContainText('You have no messages yet.');
});

test('a new message is checked, sent and listed', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/messages'), 'Messages');
  const form = page.getByRole('region', { name: 'New message' });
  await form.getByRole('button', { name: 'Send message' }).click();
  await expect(form.getByLabel('Subject')).toHaveAccessibleDescription('Enter a subject.');
  await expect(form.getByLabel('Message', { exact: true })).toHaveAccessibleDescription(/Enter your message\./);
  await expect(form.getByLabel('Subject')).toBeFocused();
  expect(mock.sentTo('POST /api/messages')).toHaveLength(0);

  await form.getByLabel('Subject').fill('Travel vaccines');
  await form.getByLabel('Message', { exact: true }).fill('Which ones do I need?\nI leave in May.');
  await form.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your message was sent to your care team.' })).toBeVisible();
  expect(mock.sentTo('POST /api/messages')[0]?.body).toEqual({ subject: 'Travel vaccines', body: 'Which ones do I need?\nI leave in May.' });
  await expect(page.getByRole('link', { name: 'Travel vaccines' })).toBeVisible();
  await expect(form.getByLabel('Subject')).toHaveValue('');
});

test('a thread shows its messages as plain text with read receipts, and takes a reply', async ({ page }) => {
  const mock = await mockPortal(page);
  await openPage(page, url('/messages'), 'Messages');
  await page.getByRole('link', { name: /Question about my dose/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Question about my dose' })).toBeFocused();

  const messages = page.getByRole('list', { name: 'Messages in this conversation' }).getByRole('listitem');
  await expect(messages).toHaveCount(3);
  // Markup in a body is shown as the characters the patient typed, never as HTML.
  await expect(messages.first().getByText('Can I take <b>hi</b> twice?')).toBeVisible();
  await expect(messages.first()).toContainText('William Hart (you) · Nov 20, 2026, 9:00 AM EST');
  await expect(messages.first()).toContainText('Read Nov 20, 2026, 11:00 AM EST');
  await expect(messages.nth(1)).toContainText('Dr. Sam Patel');
  await expect(messages.nth(1)).not.toContainText('Read');

  const reply = page.getByRole('form', { name: 'Reply' });
  await reply.getByRole('button', { name: 'Send reply' }).click();
  await expect(reply.getByLabel('Message')).toHaveAttribute('aria-invalid', 'true');
  expect(mock.sentTo('POST /api/messages/th-1/replies')).toHaveLength(0);

  await reply.getByLabel('Message').fill('Thank you!');
  await reply.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your reply was sent.' })).toBeVisible();
  expect(mock.sentTo('POST /api/messages/th-1/replies')[0]?.body).toEqual({ body: 'Thank you!' });
  await expect(messages).toHaveCount(4);
  await expect(messages.last()).toContainText('Thank you!');
  await expect(messages.last()).toContainText('Not read yet');
  await expect(reply.getByLabel('Message')).toHaveValue('');
});

test('the body "<b>hi</b>" stays literal text', async ({ page }) => {
  const mock = await mockPortal(page);
  mock.state.threads[0]?.messages.push({ id: 'm-html', mine: false, authorName: 'Dr. Sam Patel', body: '<b>hi</b>', sentAt: '2026-11-22T14:00:00.000Z', readAt: null });
  await openPage(page, url('/messages/th-1'), 'Question about my dose');
  const last = page.getByRole('list', { name: 'Messages in this conversation' }).getByRole('listitem').last();
  await expect(last.getByText('<b>hi</b>', { exact: true })).toBeVisible();
  await expect(last.getByRole('paragraph').filter({ hasText: /^hi$/ })).toHaveCount(0);
});

test('a closed thread says so and cannot be replied to', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/messages/th-2'), 'Test results');
  await expect(page.getByRole('main')).toContainText('This conversation is closed, so it cannot be replied to.');
  await expect(page.getByRole('form', { name: 'Reply' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send reply' })).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Messages in this conversation' }).getByRole('listitem').first()).toContainText('Not read yet');
  await page.getByRole('link', { name: 'start a new message' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Messages' })).toBeVisible();
});

test('a thread that cannot be found says so, with Retry', async ({ page }) => {
  await mockPortal(page);
  await openPage(page, url('/messages/th-missing'), 'Message');
  await expect(page.getByRole('alert')).toHaveText('That conversation was not found.');
  await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();
});
