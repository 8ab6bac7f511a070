// SPDX-License-Identifier: MIT
// Chats in the browser, two people at once: a teacher creates a group chat
// with a curator through the "new chat" dialog; they write to each other and
// see it live — a message, an unread badge that appears and clears, a reply,
// an edit, a reaction, a pin, a deletion, the typing indicator, the read
// report, a mute by the chat's owner, and the full-text search leading to a
// message. Screenshots of the chat at phone and desktop width are kept in
// artifacts/. The people and the college come from the API (tests/lib/org.mjs);
// everything under test happens in the UI. Selectors: roles, labels, texts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newContext, screenshot, screenshotOnFailure } from '../lib/browser.mjs';
import { buildCollege, call, PASSWORD } from '../lib/org.mjs';
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
const hidden = (locator) => locator.waitFor({ state: 'hidden' });

async function loginInBrowser(ctx, login) {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/login?next=${encodeURIComponent('/chats')}`);
  await page.getByLabel('Логин', { exact: true }).fill(login);
  await page.getByLabel('Пароль', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Войти' }).click();
  await visible(page.getByRole('heading', { level: 1, name: 'Чаты' }));
  await visible(page.getByRole('status').filter({ hasText: 'В сети' }).first());
  return page;
}

const chatList = (page) => page.getByRole('navigation', { name: 'Список чатов' });
const chatLink = (page, title) => chatList(page).getByRole('link', { name: new RegExp(title) });
const log = (page) => page.getByRole('log', { name: 'Сообщения' });
const message = (page, text) => log(page).getByRole('listitem').filter({ hasText: text });
const composer = (page) => page.getByRole('textbox', { name: 'Сообщение', exact: true });

// Send text; shown: how it reads once formatted (defaults to text).
async function send(page, text, shown = text) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await visible(message(page, shown));
}

async function messageAction(page, text, action) {
  const item = message(page, text);
  await item.getByRole('button', { name: 'Действия с сообщением' }).click();
  await item.getByRole('button', { name: action, exact: true }).click();
}

async function noHorizontalScroll(page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `page scrolls sideways: ${scroll} > ${client}`);
}

describe('chats in the browser', () => {
  test('a group chat made in the UI: live messages, replies, edits, reactions, pins, unread counts', { timeout: 90_000 }, async () => {
    const tctx = await newContext(browser);
    const cctx = await newContext(browser);
    tctx.setDefaultTimeout(10_000);
    cctx.setDefaultTimeout(10_000);
    await screenshotOnFailure('chat-two-people', [tctx, cctx], async () => {
      const teacher = await loginInBrowser(tctx, 'teacher@college.ru');
      const curator = await loginInBrowser(cctx, 'curator@college.ru');

      // The mandatory chats are there, marked as such.
      await visible(chatLink(curator, 'Преподаватели').first());
      await visible(chatList(curator).getByText('Обязательный чат:').first());

      // The teacher creates a group chat with the curator.
      await teacher.getByRole('button', { name: 'Новый чат' }).click();
      const dialog = teacher.getByRole('dialog', { name: 'Новый чат' });
      await dialog.getByLabel('Группа', { exact: true }).check();
      await dialog.getByLabel('Название', { exact: true }).fill('Кафедра ТМ');
      await dialog.getByLabel('Участники').fill('Ольга');
      await dialog.getByLabel(/Ольга Кураторова/).check();
      await visible(dialog.getByRole('button', { name: 'Убрать: Ольга Кураторова' }));
      await dialog.getByRole('button', { name: 'Создать' }).click();
      await hidden(dialog);
      await visible(teacher.getByRole('heading', { level: 2, name: 'Кафедра ТМ' }));
      assert.match(new URL(teacher.url()).pathname, /^\/chats\/\d+$/);

      // The curator, on the chat list, sees the new chat arrive and an unread badge.
      await visible(chatLink(curator, 'Кафедра ТМ'));
      await send(teacher, 'Добрый день, *коллеги*! Расписание: https://college.example/plan', 'Добрый день, коллеги!');
      const row = chatLink(curator, 'Кафедра ТМ');
      await visible(row.getByLabel('1 непрочитанное сообщение'));
      await send(teacher, 'Совещание в 15:00');
      await visible(row.getByLabel('2 непрочитанных сообщения'));

      // She opens it: the messages are there, formatted; the badge clears.
      await row.click();
      await visible(curator.getByRole('heading', { level: 2, name: 'Кафедра ТМ' }));
      const first = message(curator, 'Добрый день');
      await visible(first.locator('strong', { hasText: 'коллеги' }));
      const link = first.getByRole('link', { name: 'https://college.example/plan' });
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      await hidden(row.getByLabel(/непрочитанн/));

      // Typing is shown on the other side.
      await composer(teacher).pressSequentially('Сейчас напишу подробнее…', { delay: 120 });
      await visible(curator.getByText('Пётр Учителев печатает…'));
      await composer(teacher).fill('');

      // She replies to the first message; he sees it live, with the quote.
      await messageAction(curator, 'Добрый день', 'Ответить');
      await visible(curator.getByText('Ответ Пётр Учителев'));
      await send(curator, 'Здравствуйте! Буду.');
      assert.equal(await composer(curator).inputValue(), '');
      const reply = message(teacher, 'Здравствуйте! Буду.');
      await visible(reply);
      await visible(reply.getByRole('button', { name: /В ответ на сообщение: Вы/ }));

      // He edits his message; she sees the new text, marked edited.
      await messageAction(teacher, 'Совещание в 15:00', 'Изменить');
      await visible(teacher.getByText('Редактирование сообщения'));
      await composer(teacher).fill('Совещание в 16:00');
      await composer(teacher).press('Enter');
      const edited = message(curator, 'Совещание в 16:00');
      await visible(edited);
      await visible(edited.getByText('изменено'));
      assert.equal(await message(curator, 'Совещание в 15:00').count(), 0);

      // She reacts; he sees the reaction.
      await messageAction(curator, 'Совещание в 16:00', 'Реакция 👍');
      await visible(message(teacher, 'Совещание в 16:00').getByRole('button', { name: '👍 1' }));
      await visible(message(curator, 'Совещание в 16:00').getByRole('button', { name: '👍 1, в том числе ваша' }));

      // He (the chat's owner) pins her reply; she sees the pinned bar.
      await messageAction(teacher, 'Здравствуйте! Буду.', 'Закрепить');
      const pinned = curator.getByRole('region', { name: 'Закреплённое сообщение' });
      await visible(pinned.getByText('Здравствуйте! Буду.'));

      // The read report of his own message: she has read it.
      await messageAction(teacher, 'Совещание в 16:00', 'Кто прочитал');
      const reads = teacher.getByRole('dialog', { name: 'Кто прочитал' });
      await visible(reads.getByRole('heading', { name: 'Прочитали: 1' }));
      await visible(reads.getByText('Ольга Кураторова'));
      await reads.getByRole('button', { name: 'Закрыть' }).click();
      await hidden(reads);

      // He writes and deletes a message: she sees «Сообщение удалено».
      await send(teacher, 'Это сообщение будет удалено');
      await visible(message(curator, 'Это сообщение будет удалено'));
      await messageAction(teacher, 'Это сообщение будет удалено', 'Удалить');
      await message(teacher, 'Это сообщение будет удалено').getByRole('button', { name: 'Да, удалить' }).click();
      await visible(log(curator).getByText('Сообщение удалено'));
      assert.equal(await message(curator, 'Это сообщение будет удалено').count(), 0);

      // As the owner he moderates: she may not write for an hour, then may again.
      await teacher.getByRole('button', { name: 'Участники' }).click();
      const members = teacher.getByRole('dialog', { name: /Участники/ });
      const moderation = members.getByRole('group', { name: 'Модерация: Ольга Кураторова' });
      await moderation.getByRole('button', { name: 'Запретить писать' }).click();
      await visible(members.getByRole('status').filter({ hasText: /Ольга Кураторова не может писать до/ }));
      await visible(curator.getByText(/Модератор запретил вам писать в этот чат до/));
      await hidden(composer(curator));
      await moderation.getByRole('button', { name: 'Разрешить писать' }).click();
      await visible(composer(curator));
      await members.getByRole('button', { name: 'Закрыть' }).click();

      // Full-text search finds the edited message and opens the chat at it.
      await curator.getByLabel('Поиск чатов и сообщений').fill('совещание');
      await curator.getByRole('button', { name: 'Искать «совещание» в сообщениях' }).click();
      const results = curator.getByRole('region', { name: 'Найдено в сообщениях' });
      await results.getByRole('link', { name: /Кафедра ТМ/ }).first().click();
      assert.match(new URL(curator.url()).search, /^\?m=\d+$/);
      await visible(message(curator, 'Совещание в 16:00'));

      // Screenshots: desktop, then phone width (two screens with a back button).
      await noHorizontalScroll(curator);
      await screenshot(curator, 'chat-desktop-1280');
      await curator.setViewportSize({ width: 375, height: 740 });
      await visible(curator.getByRole('link', { name: 'К списку чатов' }));
      await hidden(chatList(curator));
      assert.equal(await composer(curator).inputValue(), ''); // no draft came back
      await noHorizontalScroll(curator);
      await screenshot(curator, 'chat-phone-375');
      // Back to the list: the search is as she left it; clearing it shows the chats.
      await curator.getByRole('link', { name: 'К списку чатов' }).click();
      await hidden(log(curator));
      await visible(results.getByRole('link', { name: /Совещание в 16:00/ }));
      await curator.getByLabel('Поиск чатов и сообщений').fill('');
      await visible(chatLink(curator, 'Кафедра ТМ'));
      await noHorizontalScroll(curator);
      await screenshot(curator, 'chat-list-phone-375');
    });
    await tctx.close();
    await cctx.close();
  });

  test('new chats: a subject chat for a study group; a direct chat the contact policy forbids is refused plainly', { timeout: 60_000 }, async () => {
    // Setup through the API: the staff member and the student share a chat,
    // so she can find him; she is taken out of it while the dialog is open,
    // and then the policy no longer lets staff start a conversation with a
    // student they do not teach.
    const r = await call(college.people.teacher, 'POST', '/api/v1/chats',
      { kind: 'group', title: 'Экскурсия', user_ids: [college.users.student.id, college.users.staff.id] });
    assert.equal(r.status, 201, r.text);
    const trip = r.json.chat.id;
    const tctx = await newContext(browser);
    const sctx = await newContext(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    tctx.setDefaultTimeout(10_000);
    sctx.setDefaultTimeout(10_000);
    await screenshotOnFailure('chat-new-chats', [tctx, sctx], async () => {
      const teacher = await loginInBrowser(tctx, 'teacher@college.ru');
      await teacher.getByRole('button', { name: 'Новый чат' }).click();
      let dialog = teacher.getByRole('dialog', { name: 'Новый чат' });
      await dialog.getByLabel('Чат по предмету').check();
      await dialog.getByRole('button', { name: 'Создать' }).click();
      await visible(dialog.getByText('Выберите учебную группу'));
      await visible(dialog.getByText('Укажите предмет (до 200 символов)'));
      await dialog.getByLabel('Учебная группа').selectOption({ label: 'ТМ-21 — Технология машиностроения' });
      await dialog.getByLabel('Предмет', { exact: true }).fill('Математика');
      await dialog.getByRole('button', { name: 'Создать' }).click();
      await visible(teacher.getByRole('heading', { level: 2, name: 'Математика — ТМ-21' }));
      await visible(chatLink(teacher, 'Математика — ТМ-21').getByText('Предмет'));

      const staff = await loginInBrowser(sctx, 'staff@college.ru');
      await staff.getByRole('button', { name: 'Новый чат' }).click();
      dialog = staff.getByRole('dialog', { name: 'Новый чат' });
      assert.equal(await dialog.getByRole('radio', { name: 'Группа' }).count(), 0); // staff make direct chats only
      await dialog.getByLabel('С кем переписываться').fill('Семён');
      await visible(dialog.getByLabel(/Семён Студентов/));
      const out = await call(college.people.teacher, 'DELETE', `/api/v1/chats/${trip}/members/${college.users.staff.id}`);
      assert.equal(out.status, 204, out.text);
      await dialog.getByLabel(/Семён Студентов/).check();
      await dialog.getByRole('button', { name: 'Создать' }).click();
      await visible(dialog.getByText('Написать этому человеку нельзя: правила колледжа не разрешают вам начинать с ним переписку.'));
      await noHorizontalScroll(staff);
      await screenshot(staff, 'chat-direct-refused-phone-375');
      await dialog.getByRole('button', { name: 'Отмена' }).click();
      await hidden(dialog);
      assert.equal(new URL(staff.url()).pathname, '/chats');
    });
    await tctx.close();
    await sctx.close();
  });
});
