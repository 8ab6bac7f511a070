// SPDX-License-Identifier: MIT
// Losing the network mid-conversation: the teacher's browser goes offline
// (context.setOffline), the connection indicator says so, two messages
// written meanwhile wait with a clock; when the network is back they reach
// the curator exactly once and in order, and the clocks go away. The group
// chat is made through the API; the journey under test is in the browser.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newContext, screenshot, screenshotOnFailure } from '../lib/browser.mjs';
import { buildCollege, call, PASSWORD } from '../lib/org.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;
let college;
let chatId;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  college = await buildCollege(server);
  const r = await call(college.people.teacher, 'POST', '/api/v1/chats',
    { kind: 'group', title: 'Методобъединение', user_ids: [college.users.curator.id] });
  assert.equal(r.status, 201, r.text);
  chatId = r.json.chat.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const visible = (locator) => locator.waitFor({ state: 'visible' });
const hidden = (locator) => locator.waitFor({ state: 'hidden' });
const log = (page) => page.getByRole('log', { name: 'Сообщения' });
const message = (page, text) => log(page).getByRole('listitem').filter({ hasText: text });
const composer = (page) => page.getByRole('textbox', { name: 'Сообщение', exact: true });
const status = (page, text) => page.getByRole('status').filter({ hasText: text });

async function openChat(ctx, login) {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/login?next=${encodeURIComponent(`/chats/${chatId}`)}`);
  await page.getByLabel('Логин', { exact: true }).fill(login);
  await page.getByLabel('Пароль', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Войти' }).click();
  await visible(page.getByRole('heading', { level: 2, name: 'Методобъединение' }));
  await visible(status(page, 'В сети').first());
  return page;
}

async function write(page, text) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/* The texts of the messages in the curator's view, in order. */
function texts(page) {
  return log(page).getByRole('listitem').evaluateAll((items) => items
    .filter((li) => li.dataset.seq || li.dataset.clientId)
    .map((li) => li.querySelector('.msg-text')?.textContent ?? ''));
}

describe('offline and back', () => {
  test('messages written offline wait, then arrive once and in order', { timeout: 60_000 }, async () => {
    const tctx = await newContext(browser);
    const cctx = await newContext(browser);
    tctx.setDefaultTimeout(10_000);
    cctx.setDefaultTimeout(10_000);
    await screenshotOnFailure('chat-offline', [tctx, cctx], async () => {
      const teacher = await openChat(tctx, 'teacher@college.ru');
      const curator = await openChat(cctx, 'curator@college.ru');

      await write(teacher, 'Первое: до обрыва связи');
      await visible(message(curator, 'Первое: до обрыва связи'));

      // The network goes away.
      await tctx.setOffline(true);
      await visible(status(teacher, 'Нет связи').first());
      await visible(teacher.getByText('Нет связи с сервером. Сообщения будут отправлены, когда соединение восстановится.'));

      await write(teacher, 'Второе: без связи');
      await write(teacher, 'Третье: тоже без связи');
      for (const text of ['Второе: без связи', 'Третье: тоже без связи']) {
        await visible(message(teacher, text).getByRole('img', { name: 'Отправляется…' }));
      }
      await screenshot(teacher, 'chat-offline-pending');
      // nothing of it has reached the other side
      await curator.waitForTimeout(700);
      assert.equal(await message(curator, 'без связи').count(), 0);

      // The network is back: both arrive, once each, in order; the clocks go.
      await tctx.setOffline(false);
      await visible(status(teacher, 'В сети').first());
      await visible(message(curator, 'Третье: тоже без связи'));
      await hidden(log(teacher).getByRole('img', { name: 'Отправляется…' }).first());
      assert.equal(await log(teacher).getByRole('img', { name: 'Отправляется…' }).count(), 0);
      assert.deepEqual(await texts(curator),
        ['Первое: до обрыва связи', 'Второе: без связи', 'Третье: тоже без связи']);
      assert.deepEqual(await texts(teacher),
        ['Первое: до обрыва связи', 'Второе: без связи', 'Третье: тоже без связи']);

      // The server agrees: exactly one copy of each, in this order.
      const r = await call(college.people.curator, 'GET', `/api/v1/chats/${chatId}/messages`);
      assert.deepEqual(r.json.messages.map((m) => m.text),
        ['Первое: до обрыва связи', 'Второе: без связи', 'Третье: тоже без связи']);

      // A reload keeps nothing pending and shows the same conversation.
      await teacher.reload();
      await visible(message(teacher, 'Третье: тоже без связи'));
      assert.deepEqual(await texts(teacher),
        ['Первое: до обрыва связи', 'Второе: без связи', 'Третье: тоже без связи']);
    });
    await tctx.close();
    await cctx.close();
  });
});
