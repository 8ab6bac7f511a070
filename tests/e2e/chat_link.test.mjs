// SPDX-License-Identifier: MIT
// Joining a chat by link in the browser, three people at once: a teacher
// makes an invitation link in the members panel of a group chat and copies
// it; a curator opens it, sees the chat, presses «Вступить», lands in the
// chat and writes, and the teacher sees her message live and the link's use
// counted; a student of a group the teacher does not teach is told in Russian
// why the college's rules keep them out; once the teacher revokes the link,
// opening it says so. The college and the chat come from the API
// (tests/lib/org.mjs); everything under test happens in the UI.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newContext, screenshot, screenshotOnFailure } from '../lib/browser.mjs';
import { buildCollege, call, createPerson, PASSWORD } from '../lib/org.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;
let college;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  college = await buildCollege(server);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const visible = (locator) => locator.waitFor({ state: 'visible' });

async function loginInBrowser(ctx, login, next = '/chats') {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Логин', { exact: true }).fill(login);
  await page.getByLabel('Пароль', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Войти' }).click();
  return page;
}

const log = (page) => page.getByRole('log', { name: 'Сообщения' });
const message = (page, text) => log(page).getByRole('listitem').filter({ hasText: text });
const composer = (page) => page.getByRole('textbox', { name: 'Сообщение', exact: true });

describe('joining a chat by link in the browser', () => {
  test('a teacher makes a link; a curator joins by it and writes; others are told why not', { timeout: 90_000 }, async () => {
    const r = await call(college.people.teacher, 'POST', '/api/v1/chats', { kind: 'group', title: 'Кружок 3D-печати' });
    assert.equal(r.status, 201, r.text);
    const chatId = r.json.chat.id;
    const outsider = await createPerson(college.admin, {
      login: 'other-student@college.ru', name: 'Игорь Чужой', role: 'student', unit_id: college.units.G2.id, password: PASSWORD,
    });
    assert.ok(outsider.id);

    const tctx = await newContext(browser);
    const cctx = await newContext(browser);
    const sctx = await newContext(browser);
    for (const ctx of [tctx, cctx, sctx]) ctx.setDefaultTimeout(10_000);
    await tctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await screenshotOnFailure('chat-link', [tctx, cctx, sctx], async () => {
      // The teacher opens the chat's members panel and makes a link.
      const teacher = await loginInBrowser(tctx, 'teacher@college.ru', `/chats/${chatId}`);
      await visible(teacher.getByRole('heading', { level: 2, name: 'Кружок 3D-печати' }));
      await teacher.getByRole('button', { name: 'Участники' }).click();
      const members = teacher.getByRole('dialog', { name: /Участники/ });
      const links = members.getByRole('region', { name: 'Ссылка-приглашение' });
      await visible(links.getByText('Действующих ссылок нет.'));
      await links.getByLabel('Действует').selectOption({ label: '1 день' });
      await links.getByLabel('Вступить смогут').selectOption({ label: '10' });
      await links.getByRole('button', { name: 'Создать ссылку' }).click();
      await visible(links.getByText('Ссылка создана. Скопируйте её и отправьте тем, кого хотите пригласить.'));
      const urlBox = links.getByRole('textbox', { name: 'Ссылка-приглашение' });
      const url = await urlBox.inputValue();
      assert.match(url, new RegExp(`^${server.url}/chat-link/[A-Za-z0-9_-]{22}$`));
      await visible(links.getByText(/Вступили: 0 из 10/));
      await links.getByRole('button', { name: 'Копировать' }).click();
      await visible(links.getByText('Ссылка скопирована.'));
      assert.equal(await teacher.evaluate(() => navigator.clipboard.readText()), url);
      await screenshot(teacher, 'chat-link-members-panel');
      await members.getByRole('button', { name: 'Закрыть' }).click();

      // The curator opens the link (logging in first), joins, and writes.
      const curator = await loginInBrowser(cctx, 'curator@college.ru', new URL(url).pathname);
      await visible(curator.getByRole('heading', { level: 1, name: 'Кружок 3D-печати' }));
      await visible(curator.getByText('Вас приглашают в чат'));
      await visible(curator.getByText('Группа · 1 участник'));
      await screenshot(curator, 'chat-link-page');
      await curator.getByRole('button', { name: 'Вступить' }).click();
      await visible(curator.getByRole('heading', { level: 2, name: 'Кружок 3D-печати' }));
      assert.equal(new URL(curator.url()).pathname, `/chats/${chatId}`);
      await visible(curator.getByRole('status').filter({ hasText: 'В сети' }).first());
      await composer(curator).fill('Здравствуйте! Я тоже хочу печатать детали.');
      await composer(curator).press('Enter');
      await visible(message(curator, 'Я тоже хочу печатать детали'));

      // The teacher sees her message live, and the use counted.
      await visible(message(teacher, 'Я тоже хочу печатать детали'));
      await teacher.getByRole('button', { name: 'Участники' }).click();
      await visible(members.getByText('Ольга Кураторова', { exact: true }));
      await visible(links.getByText(/Вступили: 1 из 10/));

      // A student of a group the teacher does not teach is told why not.
      const student = await loginInBrowser(sctx, 'other-student@college.ru', new URL(url).pathname);
      await visible(student.getByRole('heading', { level: 1, name: 'Кружок 3D-печати' }));
      await visible(student.getByText(/Правила колледжа не позволяют вам вступить в этот чат по ссылке/));
      assert.equal(await student.getByRole('button', { name: 'Вступить' }).count(), 0);

      // The teacher revokes the link; opening it now says so.
      await links.getByRole('button', { name: 'Отозвать' }).click();
      await links.getByRole('button', { name: 'Да, отозвать' }).click();
      await visible(links.getByText('Ссылка отозвана.'));
      await visible(links.getByText('Действующих ссылок нет.'));
      await student.reload();
      await visible(student.getByRole('heading', { level: 1, name: 'Ссылка не действует' }));
      await visible(student.getByText('Эту ссылку отозвали. Попросите администратора чата прислать новую.'));
    });
    await Promise.all([tctx.close(), cctx.close(), sctx.close()]);
  });
});
