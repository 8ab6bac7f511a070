// SPDX-License-Identifier: MIT
// The regulation's main walk (section 2), in four browsers at once:
//  1. the platform administrator (the first one, by the setup link the server
//     printed) builds a branch and a study group and creates a curator link;
//  2. the curator opens it, registers, is approved by the administrator, and
//     creates the group's student and parent links;
//  3. a student joins with the student link, the curator approves, the
//     student finds the group chat already in their chat list and writes in
//     it; the curator's list shows «Преподаватели» and the group chat, the
//     curator sees the message live and replies;
//  4. a parent joins with the parent link, picks their child from the
//     group's roster, is confirmed by the curator, and writes to the curator.
// Screenshots of the key screens at phone and desktop width. Selectors are
// labels, roles and visible texts only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newContext, screenshot, screenshotOnFailure } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const ADMIN = { login: 'admin@kpk.ru', name: 'Анна Смирнова', password: 'admin-pass-2024' };
const CURATOR = { login: 'kuratorova@kpk.ru', name: 'Ольга Кураторова', password: 'curator-pass-2024' };
const STUDENT = { login: '+7 912 000-00-01', name: 'Студентов Семён', password: 'student-pass-2024' };
const PARENT = { login: 'parent@mail.ru', name: 'Студентова Мария', password: 'parent-pass-2024' };
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const visible = (locator) => locator.waitFor({ state: 'visible' });
const label = (page, text) => page.getByLabel(text, { exact: true });
const nav = (page) => page.getByRole('navigation', { name: 'Основное меню' });
const chatList = (page) => page.getByRole('navigation', { name: 'Список чатов' });
const messages = (page) => page.getByRole('log', { name: 'Сообщения' });

/* Create a link on /invites for a role (and the unit already chosen). */
async function createLink(page, forWhom) {
  await label(page, 'Для кого').selectOption({ label: forWhom });
  await page.getByRole('button', { name: 'Создать ссылку' }).click();
  const fresh = page.getByRole('region', { name: new RegExp(`^Готово: ${forWhom} · `) });
  await visible(fresh);
  const url = await fresh.getByLabel('Ссылка', { exact: true }).inputValue();
  assert.match(url, /\/join\/[A-Za-z0-9_-]{22}$/);
  return url;
}

/* Register through an invitation link; returns the page on the result. */
async function registerByLink(ctx, url, who, { child } = {}) {
  const page = await ctx.newPage();
  await page.goto(url);
  await visible(page.getByRole('heading', { level: 1, name: /^Приглашение: / }));
  if (child) await label(page, 'Ваш ребёнок').selectOption({ label: child });
  await label(page, 'Имя').fill(who.name);
  await label(page, 'Логин').fill(who.login);
  await label(page, 'Пароль').fill(who.password);
  await label(page, 'Повторите пароль').fill(who.password);
  await page.getByRole('button', { name: 'Зарегистрироваться и присоединиться' }).click();
  await visible(page.getByRole('heading', { level: 1, name: 'Заявка отправлена' }));
  await visible(page.getByRole('status').getByText('Заявка отправлена, ожидайте подтверждения'));
  return page;
}

/* Approve the pending request of `name` in the queue. */
async function approve(page, name) {
  await page.goto(`${server.url}/requests`);
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
  await visible(card);
  await card.getByRole('button', { name: 'Одобрить' }).click();
  await visible(page.getByText(`Заявка одобрена: ${name}`));
  return card;
}

async function send(page, text) {
  await label(page, 'Сообщение').fill(text);
  await page.getByRole('button', { name: 'Отправить' }).click();
  await visible(messages(page).getByText(text));
}

describe('the regulation, section 2: structure, links, joining, first messages', () => {
  test('administrator → curator → student → parent', { timeout: 120_000 }, async () => {
    assert.ok(server.setupUrl, `the server printed no setup link:\n${server.stdout()}`);
    const adminCtx = await newContext(browser);
    const curatorCtx = await newContext(browser);
    const studentCtx = await newContext(browser, PHONE);
    const parentCtx = await newContext(browser, PHONE);
    const all = [adminCtx, curatorCtx, studentCtx, parentCtx];
    for (const c of all) c.setDefaultTimeout(15_000);

    await screenshotOnFailure('regulation', all, async () => {
      // 1. The first administrator, by the setup link the server printed.
      const admin = await adminCtx.newPage();
      await admin.goto(server.setupUrl);
      await label(admin, 'Логин').fill(ADMIN.login);
      await label(admin, 'Имя').fill(ADMIN.name);
      await label(admin, 'Пароль').fill(ADMIN.password);
      await label(admin, 'Повторите пароль').fill(ADMIN.password);
      await admin.getByRole('button', { name: 'Создать администратора' }).click();
      await visible(admin.getByRole('heading', { level: 1, name: `Здравствуйте, ${ADMIN.name}!` }));

      // ...builds a branch and a study group...
      await nav(admin).getByRole('link', { name: 'Структура' }).click();
      await admin.getByRole('button', { name: 'Добавить подразделение' }).click();
      await label(admin, 'Тип').selectOption({ label: 'Филиал' });
      await label(admin, 'Название').fill('Бардымский филиал');
      await admin.getByRole('button', { name: 'Создать' }).click();
      await visible(admin.getByText('Создано: Бардымский филиал'));
      await admin.getByRole('region', { name: 'Бардымский филиал' }).getByRole('button', { name: 'Добавить подразделение' }).click();
      await label(admin, 'Тип').selectOption({ label: 'Учебная группа' });
      await label(admin, 'Название').fill('Технология машиностроения');
      await label(admin, 'Код группы').fill('ТМ-21');
      await label(admin, 'Год набора').fill('2021');
      await admin.getByRole('button', { name: 'Создать' }).click();
      await visible(admin.getByText('Создано: ТМ-21 · Технология машиностроения'));

      // ...and the curator link (needs approval: the default).
      await admin.getByRole('region', { name: 'ТМ-21 · Технология машиностроения' })
        .getByRole('link', { name: 'Пригласить куратора' }).click();
      assert.equal(await label(admin, 'Подтверждать каждого вручную').isChecked(), true);
      const curatorUrl = await createLink(admin, 'Куратор');

      // 2. The curator opens it, registers and waits for approval.
      const curatorJoin = await curatorCtx.newPage();
      await curatorJoin.goto(curatorUrl);
      await visible(curatorJoin.getByRole('heading', { level: 1, name: 'Приглашение: Колледж' }));
      await visible(curatorJoin.getByText('Куратор', { exact: true }));
      await visible(curatorJoin.getByText('Технология машиностроения', { exact: true }));
      await screenshot(curatorJoin, 'regulation-join-desktop-1280');
      await curatorJoin.close();
      const curator = await registerByLink(curatorCtx, curatorUrl, CURATOR);
      await screenshot(curator, 'regulation-join-pending-desktop-1280');

      // The administrator approves it in the queue.
      await approve(admin, CURATOR.name);
      await screenshot(admin, 'regulation-requests-desktop-1280');

      // The curator's home says what to do next: invite the group's students.
      await curator.getByRole('link', { name: 'Перейти в Parta' }).click();
      const tasks = curator.getByRole('region', { name: 'Что сделать дальше' });
      const studentsTask = tasks.getByRole('listitem').filter({ hasText: 'Пригласите студентов группы ТМ-21' });
      await visible(studentsTask);
      await visible(curator.getByRole('region', { name: 'Мои заявки' }).getByText('одобрена', { exact: true }));
      await screenshot(curator, 'regulation-curator-home-desktop-1280');
      await studentsTask.getByRole('link', { name: 'Ссылка для студентов' }).click();
      await visible(label(curator, 'Для кого'));
      assert.equal(await label(curator, 'Для кого').inputValue(), 'student');
      assert.deepEqual(await label(curator, 'Для кого').locator('option').allInnerTexts(), ['Студенты', 'Родители']);
      const studentUrl = await createLink(curator, 'Студенты');
      const parentUrl = await createLink(curator, 'Родители');

      // 3. A student joins with the student link; the curator approves.
      const student = await registerByLink(studentCtx, studentUrl, STUDENT);
      await screenshot(student, 'regulation-join-pending-phone-375');
      await approve(curator, STUDENT.name);

      // The curator's chat list: «Преподаватели» and the group chat.
      await curator.goto(`${server.url}/chats`);
      await visible(chatList(curator).getByRole('link', { name: /^Преподаватели/ }).first());
      const groupChat = chatList(curator).getByRole('link', { name: /^ТМ-21/ });
      await visible(groupChat);
      await groupChat.click();
      await visible(label(curator, 'Сообщение'));

      // The student finds the group chat already in their list and writes in it.
      await student.goto(`${server.url}/chats`);
      await chatList(student).getByRole('link', { name: /^ТМ-21/ }).click();
      await send(student, 'Здравствуйте, Ольга Петровна! Это Семён.');

      // The curator sees it live, and replies; the student sees the reply live.
      await visible(messages(curator).getByText('Здравствуйте, Ольга Петровна! Это Семён.'));
      await send(curator, 'Добро пожаловать в группу, Семён!');
      await visible(messages(student).getByText('Добро пожаловать в группу, Семён!'));
      await screenshot(curator, 'regulation-chat-curator-desktop-1280');
      await screenshot(student, 'regulation-chat-student-phone-375');

      // 4. A parent joins with the parent link and picks their child.
      const parentJoin = await parentCtx.newPage();
      await parentJoin.goto(parentUrl);
      await label(parentJoin, 'Ваш ребёнок').locator('option', { hasText: 'Студентов С.' }).waitFor({ state: 'attached' });
      assert.deepEqual(await label(parentJoin, 'Ваш ребёнок').locator('option').allInnerTexts(), ['Выберите…', 'Студентов С.']);
      await label(parentJoin, 'Ваш ребёнок').selectOption({ label: 'Студентов С.' });
      await screenshot(parentJoin, 'regulation-join-parent-phone-375');
      await parentJoin.close();
      const parent = await registerByLink(parentCtx, parentUrl, PARENT, { child: 'Студентов С.' });

      // The curator confirms the parent (the request names the child).
      const card = await approve(curator, PARENT.name);
      await visible(card.getByText(STUDENT.name));

      // The parent writes to the curator.
      await parent.goto(`${server.url}/chats`);
      await visible(chatList(parent).getByRole('link', { name: /^Родители ТМ-21/ }));
      await parent.getByRole('button', { name: 'Новый чат' }).click();
      const dialog = parent.getByRole('dialog', { name: 'Новый чат' });
      await label(dialog, 'С кем переписываться').fill('Ольга');
      await dialog.getByRole('radio', { name: new RegExp(CURATOR.name) }).check();
      await dialog.getByRole('button', { name: 'Создать' }).click();
      await send(parent, 'Ольга Петровна, здравствуйте! Я мама Семёна.');
      await screenshot(parent, 'regulation-chat-parent-phone-375');

      // It reaches the curator.
      await curator.goto(`${server.url}/chats`);
      await chatList(curator).getByRole('link', { name: new RegExp(`^${PARENT.name}`) }).click();
      await visible(messages(curator).getByText('Ольга Петровна, здравствуйте! Я мама Семёна.'));
    });
    for (const c of all) await c.close();
  });
});
