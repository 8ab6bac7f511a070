// SPDX-License-Identifier: MIT
// The web client's foundation in a real browser against the real server: the
// login page at phone and desktop width, the one-time setup link, the first
// administrator's login and logout, the password change, and a session ended
// from another device. Selectors are labels, roles and visible texts only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newContext, screenshot, screenshotOnFailure } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const ADMIN = { login: 'admin@college.example', name: 'Анна Смирнова' };
const PASSWORD_1 = 'first-pass-123';
const PASSWORD_2 = 'second-pass-456';
const SECOND_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 PartaE2ESecondDevice';

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
const hidden = (locator) => locator.waitFor({ state: 'hidden' });
const label = (page, text) => page.getByLabel(text, { exact: true });
const path = (page) => new URL(page.url()).pathname;

async function noHorizontalScroll(page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `page scrolls sideways: ${scroll} > ${client}`);
}

async function login(page, who, password) {
  await label(page, 'Логин').fill(who);
  await label(page, 'Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
}

describe('web client foundation', () => {
  test('logged out: any path leads to the login page, at phone and desktop width', { timeout: 60_000 }, async () => {
    const phone = await newContext(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const desktop = await newContext(browser);
    await screenshotOnFailure('login-page', [phone, desktop], async () => {
      for (const [ctx, name] of [[phone, 'login-phone-375'], [desktop, 'login-desktop-1280']]) {
        ctx.setDefaultTimeout(10_000);
        const page = await ctx.newPage();
        await page.goto(`${server.url}/some/unknown/page`);
        await visible(page.getByRole('heading', { level: 1, name: 'Вход в Parta' }));
        assert.equal(path(page), '/login');
        assert.equal(await page.title(), 'Вход — Parta');
        await visible(label(page, 'Логин'));
        await visible(label(page, 'Пароль'));
        await visible(page.getByRole('button', { name: 'Войти' }));
        await noHorizontalScroll(page);
        await screenshot(page, name);
      }

      // Empty submit: errors next to the fields, no request needed.
      const page = desktop.pages()[0];
      await page.getByRole('button', { name: 'Войти' }).click();
      await visible(page.getByText('Заполните это поле').first());
      assert.equal(await label(page, 'Логин').getAttribute('aria-invalid'), 'true');

      // The language toggle switches every text and is remembered.
      await page.getByRole('button', { name: 'English' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Log in to Parta' }));
      await page.reload();
      await visible(page.getByRole('heading', { level: 1, name: 'Log in to Parta' }));
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.getByRole('button', { name: 'Русский' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Вход в Parta' }));
    });
    await phone.close();
    await desktop.close();
  });

  test('a wrong setup link says so clearly', { timeout: 30_000 }, async () => {
    const ctx = await newContext(browser);
    ctx.setDefaultTimeout(10_000);
    await screenshotOnFailure('setup-invalid', [ctx], async () => {
      const page = await ctx.newPage();
      await page.goto(`${server.url}/setup?token=not-a-real-token`);
      await visible(page.getByRole('heading', { level: 1, name: 'Ссылка недействительна' }));
      await visible(page.getByRole('link', { name: 'Перейти ко входу' }));
      assert.equal(await label(page, 'Пароль').count(), 0);
    });
    await ctx.close();
  });

  test('first administrator: setup, logout, login, password change, sessions', { timeout: 120_000 }, async () => {
    assert.ok(server.setupUrl, `the server printed no setup link:\n${server.stdout()}`);
    const first = await newContext(browser);
    const second = await newContext(browser, { userAgent: SECOND_UA });
    first.setDefaultTimeout(10_000);
    second.setDefaultTimeout(10_000);
    await screenshotOnFailure('foundation', [first, second], async () => {
      const page = await first.newPage();

      // Setup with the one-time link.
      await page.goto(server.setupUrl);
      await visible(page.getByRole('heading', { level: 1, name: 'Первый администратор' }));
      await label(page, 'Логин').fill(ADMIN.login);
      await label(page, 'Имя').fill(ADMIN.name);
      await label(page, 'Пароль').fill(PASSWORD_1);
      await label(page, 'Повторите пароль').fill('something-else');
      await page.getByRole('button', { name: 'Создать администратора' }).click();
      await visible(page.getByText('Пароли не совпадают'));
      await label(page, 'Повторите пароль').fill(PASSWORD_1);
      await page.getByRole('button', { name: 'Создать администратора' }).click();

      // The home shell greets the administrator by name.
      await visible(page.getByRole('heading', { level: 1, name: `Здравствуйте, ${ADMIN.name}!` }));
      assert.equal(path(page), '/');
      assert.equal(await page.title(), 'Главная — Parta');
      const nav = page.getByRole('navigation', { name: 'Основное меню' });
      await visible(nav.getByRole('link', { name: 'Главная' }));
      await visible(page.getByRole('complementary').getByText(ADMIN.name, { exact: true }));

      // The link works once.
      const again = await first.newPage();
      await again.goto(server.setupUrl);
      await visible(again.getByRole('heading', { level: 1, name: 'Ссылка недействительна' }));
      await again.close();

      // Logout, then a wrong and a right password.
      await page.getByRole('button', { name: 'Выйти' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Вход в Parta' }));
      assert.equal(path(page), '/login');
      await visible(page.getByText('Вы вышли из Parta.'));
      await login(page, ADMIN.login, 'not-the-password');
      await visible(page.getByText('Неверный логин или пароль'));
      await login(page, ADMIN.login, PASSWORD_1);
      await visible(page.getByRole('heading', { level: 1, name: `Здравствуйте, ${ADMIN.name}!` }));

      // A reload keeps the session (cookie + /auth/me).
      await page.reload();
      await visible(page.getByRole('heading', { level: 1, name: `Здравствуйте, ${ADMIN.name}!` }));

      // Profile: the password change.
      await nav.getByRole('link', { name: 'Профиль' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Профиль' }));
      assert.equal(path(page), '/profile');
      assert.equal(await page.title(), 'Профиль — Parta');
      await visible(page.getByText(ADMIN.login, { exact: true }).first());
      await label(page, 'Текущий пароль').fill('wrong-current-1');
      await label(page, 'Новый пароль').fill(PASSWORD_2);
      await label(page, 'Повторите новый пароль').fill(PASSWORD_2);
      await page.getByRole('button', { name: 'Сменить пароль' }).click();
      await visible(page.getByText('Неверный текущий пароль'));
      await label(page, 'Текущий пароль').fill(PASSWORD_1);
      await page.getByRole('button', { name: 'Сменить пароль' }).click();
      await visible(page.getByText('Пароль изменён. Остальные сеансы завершены.'));

      // Only this device is logged in now.
      const sessions = page.getByRole('list', { name: 'Сеансы' });
      await visible(sessions.getByText('Это устройство'));
      assert.equal(await sessions.getByRole('listitem').count(), 1);
      assert.equal(await sessions.getByRole('button', { name: 'Завершить' }).count(), 0);

      // A second device: the old password no longer works, the new one does.
      const other = await second.newPage();
      await other.goto(`${server.url}/login`);
      await login(other, ADMIN.login, PASSWORD_1);
      await visible(other.getByText('Неверный логин или пароль'));
      await login(other, ADMIN.login, PASSWORD_2);
      await visible(other.getByRole('heading', { level: 1, name: `Здравствуйте, ${ADMIN.name}!` }));

      // The first device sees it and ends it.
      await page.getByRole('button', { name: 'Обновить' }).click();
      const otherItem = sessions.getByRole('listitem').filter({ hasText: 'PartaE2ESecondDevice' });
      await visible(otherItem);
      await visible(otherItem.getByText('Firefox, Linux'));
      assert.equal(await sessions.getByRole('listitem').count(), 2);
      await screenshot(page, 'profile-desktop-1280');
      await otherItem.getByRole('button', { name: 'Завершить' }).click();
      await hidden(otherItem);
      await visible(page.getByText('Сеанс завершён.', { exact: true }));
      assert.equal(await sessions.getByRole('listitem').count(), 1);

      // The second device is sent to login on its next action, and comes back
      // to where it was going after logging in again.
      await other.getByRole('navigation', { name: 'Основное меню' }).getByRole('link', { name: 'Профиль' }).click();
      await visible(other.getByText('Сеанс завершён. Войдите снова.'));
      assert.equal(path(other), '/login');
      await login(other, ADMIN.login, PASSWORD_2);
      await visible(other.getByRole('heading', { level: 1, name: 'Профиль' }));
      assert.equal(path(other), '/profile');

      // The profile at phone width: no sideways scrolling, the menu opens.
      await page.setViewportSize({ width: 375, height: 740 });
      await noHorizontalScroll(page);
      await screenshot(page, 'profile-phone-375');
      const menu = page.getByRole('button', { name: 'Меню', exact: true });
      await menu.click();
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await visible(page.getByRole('button', { name: 'Выйти' }));
      await page.keyboard.press('Escape');
      await hidden(page.getByRole('button', { name: 'Выйти' }));
    });
    await first.close();
    await second.close();
  });
});
