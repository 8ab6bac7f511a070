// SPDX-License-Identifier: MIT
// The college's structure and people screens in a real browser against the
// real server:
//  - the platform administrator builds a branch and a study group in the
//    tree, edits the college's details, archives and restores a unit,
//    creates a curator link and sees its QR code and print view;
//  - the import's dry run shows the row-by-row error table for a small bad
//    CSV; the valid rows are applied, the personal links downloaded, and one
//    of them hands an imported account over;
//  - a teacher and a student get no administrative screens;
//  - people search, a person's card, a movement and its reversal, a role
//    assigned and ended, the audit log filtered;
//  - the join page: a revoked link, joining with an existing account, a
//    rejection with its reason seen by the applicant.
// Phone and desktop screenshots of the key screens in tests/e2e/artifacts/.
// Selectors are labels, roles and visible texts only.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newContext, screenshot, screenshotOnFailure } from '../lib/browser.mjs';
import { ADMIN, createFirstAdmin } from '../lib/http.mjs';
import { createPerson, createUnit, PASSWORD } from '../lib/org.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;
let adminApi;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  adminApi = await createFirstAdmin(server);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const visible = (locator) => locator.waitFor({ state: 'visible' });
const hidden = (locator) => locator.waitFor({ state: 'hidden' });
const label = (page, text) => page.getByLabel(text, { exact: true });
const path = (page) => new URL(page.url()).pathname;
const nav = (page) => page.getByRole('navigation', { name: 'Основное меню' });

async function noHorizontalScroll(page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `page scrolls sideways: ${scroll} > ${client}`);
}

async function loginPage(ctx, login, password) {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/login`);
  await label(page, 'Логин').fill(login);
  await label(page, 'Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await visible(page.getByRole('heading', { level: 1, name: /^Здравствуйте/ }));
  return page;
}

/* An <img> that really loaded (a QR code served by the API). */
async function imageLoaded(img) {
  await visible(img);
  await img.evaluate((el) => (el.complete ? null : new Promise((r) => { el.onload = r; el.onerror = r; })));
  const w = await img.evaluate((el) => el.naturalWidth);
  assert.ok(w > 0, 'the image did not load');
}

describe('college structure and people in the browser', () => {
  test('the administrator builds the tree, invites a curator, sees the QR code and the print view', { timeout: 60_000 }, async () => {
    const ctx = await newContext(browser);
    ctx.setDefaultTimeout(10_000);
    await screenshotOnFailure('admin-structure', [ctx], async () => {
      const page = await loginPage(ctx, ADMIN.login, ADMIN.password);

      // Home: the next step for a new college is its structure.
      const tasks = page.getByRole('region', { name: 'Что сделать дальше' });
      await visible(tasks.getByText('Постройте структуру колледжа: филиалы, отделения и учебные группы.'));
      await tasks.getByRole('link', { name: 'Открыть структуру' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Структура колледжа' }));
      assert.equal(path(page), '/structure');
      assert.equal(await nav(page).getByRole('link', { name: 'Структура' }).getAttribute('aria-current'), 'page');

      // The college's details.
      const panel = page.getByRole('region', { name: 'Колледж' });
      await panel.getByRole('button', { name: 'Сведения о колледже' }).click();
      await label(page, 'Полное название').fill('Краевой политехнический колледж');
      await label(page, 'Краткое название').fill('КПК');
      await page.getByLabel('Значение').first().fill('Чернушка, ул. Коммунистическая, 1');
      await page.getByRole('button', { name: 'Сохранить' }).click();
      await visible(page.getByText('Сведения о колледже сохранены'));
      const college = page.getByRole('region', { name: 'Краевой политехнический колледж' });
      await visible(college.getByText('Чернушка, ул. Коммунистическая, 1'));

      // A branch under the college...
      await college.getByRole('button', { name: 'Добавить подразделение' }).click();
      await label(page, 'Тип').selectOption({ label: 'Филиал' });
      await page.getByRole('button', { name: 'Создать' }).click();
      await visible(page.getByText('Заполните это поле'));
      await label(page, 'Название').fill('Бардымский филиал');
      await page.getByRole('button', { name: 'Создать' }).click();
      await visible(page.getByText('Создано: Бардымский филиал'));
      const tree = page.getByRole('list', { name: 'Подразделения' });
      await visible(tree.getByRole('button', { name: /^Бардымский филиал/ }));

      // ...and a study group in the branch (selected after its creation).
      const branch = page.getByRole('region', { name: 'Бардымский филиал' });
      await branch.getByRole('button', { name: 'Добавить подразделение' }).click();
      await label(page, 'Тип').selectOption({ label: 'Учебная группа' });
      await label(page, 'Название').fill('Технология машиностроения');
      await label(page, 'Код группы').fill('ТМ-21');
      await label(page, 'Год набора').fill('2021');
      await page.getByRole('button', { name: 'Создать' }).click();
      await visible(page.getByText('Создано: ТМ-21 · Технология машиностроения'));
      await visible(tree.getByRole('button', { name: /^ТМ-21 · Технология машиностроения/ }));
      const group = page.getByRole('region', { name: 'ТМ-21 · Технология машиностроения' });
      await visible(group.getByText('КПК › Бардымский филиал › ТМ-21'));
      await visible(group.getByText('не назначен'));

      // The same code again is refused next to the field.
      await tree.getByRole('button', { name: /^Краевой политехнический колледж/ }).click();
      await college.getByRole('button', { name: 'Добавить подразделение' }).click();
      await label(page, 'Тип').selectOption({ label: 'Учебная группа' });
      await label(page, 'Название').fill('Дубль');
      await label(page, 'Код группы').fill('ТМ-21');
      await page.getByRole('button', { name: 'Создать' }).click();
      await visible(page.getByText('Группа с таким кодом уже есть'));
      assert.equal(await label(page, 'Код группы').getAttribute('aria-invalid'), 'true');
      await page.getByRole('button', { name: 'Отмена' }).click();

      // A department, archived (asked once more) and restored.
      await college.getByRole('button', { name: 'Добавить подразделение' }).click();
      await label(page, 'Тип').selectOption({ label: 'Отделение' });
      await label(page, 'Название').fill('ЦМК');
      await page.getByRole('button', { name: 'Создать' }).click();
      const cmk = page.getByRole('region', { name: 'ЦМК' });
      await cmk.getByRole('button', { name: 'В архив' }).click();
      await cmk.getByRole('button', { name: 'Да, в архив' }).click();
      await visible(page.getByText('«ЦМК» в архиве. История сохранена.'));
      await hidden(tree.getByRole('button', { name: /^ЦМК/ }));
      await label(page, 'Показывать архивные').check();
      await tree.getByRole('button', { name: /^ЦМК.*в архиве/ }).click();
      await page.getByRole('region', { name: 'ЦМК' }).getByRole('button', { name: 'Восстановить' }).click();
      await visible(page.getByText('«ЦМК» восстановлено'));
      await label(page, 'Показывать архивные').uncheck();
      await visible(tree.getByRole('button', { name: /^ЦМК/ }));
      await screenshot(page, 'admin-structure-desktop-1280');

      // The group's curator link, from the group's panel.
      await tree.getByRole('button', { name: /^ТМ-21/ }).click();
      await group.getByRole('link', { name: 'Пригласить куратора' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Ссылки-приглашения' }));
      assert.equal(await label(page, 'Для кого').inputValue(), 'curator');
      assert.match(await label(page, 'Куда').locator('option:checked').innerText(), /ТМ-21/);
      assert.equal(await label(page, 'Сколько раз можно использовать').inputValue(), '1');
      await page.getByRole('button', { name: 'Создать ссылку' }).click();
      const fresh = page.getByRole('region', { name: 'Готово: Куратор · Технология машиностроения' });
      await visible(fresh);
      const url = await fresh.getByLabel('Ссылка', { exact: true }).inputValue();
      assert.match(url, /\/join\/[A-Za-z0-9_-]{22}$/);
      await imageLoaded(fresh.getByRole('img', { name: /QR-код ссылки-приглашения: Куратор/ }));

      // It is in the list with its use count.
      const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Куратор · Технология машиностроения' }) });
      await visible(card.getByText('0 из 1'));
      await visible(card.getByText('действует', { exact: true }));
      await screenshot(page, 'admin-invites-desktop-1280');

      // The print view: a clean sheet with the college, role, group, QR and URL.
      await fresh.getByRole('link', { name: 'Печать' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Приглашение для печати' }));
      const sheet = page.getByRole('article', { name: 'Лист с приглашением' });
      await visible(sheet.getByText('Краевой политехнический колледж'));
      await visible(sheet.getByText('Куратор', { exact: true }));
      await visible(sheet.getByText('ТМ-21 · Технология машиностроения'));
      await visible(sheet.getByText(url));
      await imageLoaded(sheet.getByRole('img'));
      await page.emulateMedia({ media: 'print' });
      await hidden(nav(page));
      await hidden(page.getByRole('button', { name: 'Печать' }));
      await visible(sheet.getByText(url));
      await screenshot(page, 'admin-invite-print');
      await page.emulateMedia({ media: 'screen' });
      await visible(nav(page));

      // Phone width: the tree and the links fit.
      await page.setViewportSize({ width: 375, height: 740 });
      await page.goto(`${server.url}/structure`);
      await visible(page.getByRole('list', { name: 'Подразделения' }).getByRole('button', { name: /^ТМ-21/ }));
      await noHorizontalScroll(page);
      await screenshot(page, 'admin-structure-phone-375');
      await page.goto(`${server.url}/invites`);
      await visible(page.getByRole('heading', { name: 'Куратор · Технология машиностроения' }));
      await noHorizontalScroll(page);
      await screenshot(page, 'admin-invites-phone-375');
    });
    await ctx.close();
  });

  test('the import dry run shows the error table for a bad CSV', { timeout: 40_000 }, async () => {
    const ctx = await newContext(browser, { acceptDownloads: true });
    ctx.setDefaultTimeout(10_000);
    await screenshotOnFailure('admin-import', [ctx], async () => {
      const page = await loginPage(ctx, ADMIN.login, ADMIN.password);
      await nav(page).getByRole('link', { name: 'Импорт' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Импорт из электронного журнала' }));

      // Checking without a file says so next to the field.
      await page.getByRole('button', { name: 'Проверить файл' }).click();
      await visible(page.getByText('Выберите файл', { exact: true }));

      const csv = [
        'type;external_id;last_name;first_name;middle_name;login;group_code;group_name;branch;enrolment_year;staff_role;student_external_id',
        'group;g-1;;;;;ПК-22;Программирование;;2022;;',
        'student;1001;Иванов;Пётр;Сергеевич;;ПК-22;;;;;',
        'student;1002;;Анна;;;ПК-22;;;;;',
        'student;1003;Сидоров;Олег;;;НЕТ-99;;;;;',
        'parent;5001;Иванова;Мария;;+79120000001;ПК-22;;;;;9999',
      ].join('\r\n') + '\r\n';
      await label(page, 'CSV-файл').setInputFiles({ name: 'journal.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await visible(page.getByText(/Выбран файл «journal\.csv»/));

      // Hold the server's answer: meanwhile the upload's progress bar shows and
      // the buttons are disabled. (Under interception Chromium fires no upload
      // events, so the switch to the spinner is covered by the unit tests.)
      let release;
      const held = new Promise((r) => { release = r; });
      let passed;
      const gone = new Promise((r) => { passed = r; });
      await page.route('**/api/v1/import?dry_run=1', async (route) => {
        await held;
        await route.continue();
        passed();
      });
      await page.getByRole('button', { name: 'Проверить файл' }).click();
      await visible(page.getByRole('progressbar', { name: /Загрузка файла: \d+ %/ }));
      assert.equal(await page.getByRole('button', { name: 'Проверка…' }).isDisabled(), true);
      assert.equal(await label(page, 'CSV-файл').isDisabled(), true);
      release();
      await gone;
      await page.unroute('**/api/v1/import?dry_run=1');

      const table = page.getByRole('table', { name: 'Ошибки по строкам файла' });
      await visible(table);
      await visible(page.getByText('Строк с ошибками: 3'));
      const rows = table.getByRole('row');
      assert.equal(await rows.count(), 4); // header + 3 errors
      const texts = await rows.allInnerTexts();
      assert.match(texts[1], /^4\s+last_name\s+/);
      assert.match(texts[2], /^5\s+group_code\s+/);
      assert.match(texts[3], /^6\s+student_external_id\s+/);
      const counts = page.getByRole('definition');
      assert.ok((await counts.allInnerTexts()).includes('5'), 'rows in the file');
      // A dry run changed nothing: the group is not in the structure yet.
      const tree = await adminApi.get('/api/v1/org/tree');
      assert.ok(!tree.json.units.some((u) => u.code === 'ПК-22'));
      await visible(page.getByRole('button', { name: 'Импортировать (2)' }));
      await screenshot(page, 'admin-import-desktop-1280');
      await page.setViewportSize({ width: 375, height: 740 });
      await noHorizontalScroll(page);
      await screenshot(page, 'admin-import-phone-375');
      await page.setViewportSize({ width: 1280, height: 800 });

      // Apply: the valid rows are imported.
      await page.getByRole('button', { name: 'Импортировать (2)' }).click();
      await visible(page.getByRole('heading', { name: 'Импорт выполнен' }));
      const after = await adminApi.get('/api/v1/org/tree');
      assert.ok(after.json.units.some((u) => u.code === 'ПК-22'));

      // The personal links of the imported people, downloaded as a CSV...
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Скачать ссылки' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'invitations.csv');
      const file = await readFile(await download.path(), 'utf8');
      const row = file.split('\r\n').find((l) => l.startsWith('Иванов;Пётр;'));
      assert.ok(row, file);
      const personal = row.split(';').at(-1);
      assert.match(personal, /\/join\/[A-Za-z0-9_-]{22}$/);
      await visible(page.getByText('Файл со ссылками скачан'));

      // ...one of which hands the imported account over: only a login and a password.
      const other = await newContext(browser);
      other.setDefaultTimeout(10_000);
      const join = await other.newPage();
      await join.goto(personal);
      await visible(join.getByRole('heading', { level: 1, name: 'Здравствуйте, Иванов Пётр Сергеевич!' }));
      assert.equal(await label(join, 'Имя').count(), 0);
      await label(join, 'Логин').fill('petr.ivanov@mail.ru');
      await label(join, 'Пароль').fill('petya-pass-2024');
      await label(join, 'Повторите пароль').fill('petya-pass-2024');
      await join.getByRole('button', { name: 'Зарегистрироваться и присоединиться' }).click();
      await visible(join.getByRole('heading', { level: 1, name: 'Вы присоединились' }));
      await join.getByRole('link', { name: 'Перейти в Parta' }).click();
      await visible(join.getByRole('heading', { level: 1, name: 'Здравствуйте, Иванов Пётр Сергеевич!' }));
      await other.close();
    });
    await ctx.close();
  });

  test('a teacher and a student get no administrative screens', { timeout: 40_000 }, async () => {
    const tree = await adminApi.get('/api/v1/org/tree');
    const branch = tree.json.units.find((u) => u.kind === 'branch') ??
      await createUnit(adminApi, { kind: 'branch', parent_id: 1, name: 'Филиал' });
    const group = tree.json.units.find((u) => u.kind === 'study_group' && u.code === 'ТМ-21') ??
      await createUnit(adminApi, { kind: 'study_group', parent_id: branch.id, name: 'Группа', code: 'ТМ-21', enrolment_year: 2021 });
    await createPerson(adminApi, { login: 'teacher@college.ru', name: 'Пётр Учителев', role: 'teacher', unit_id: branch.id, password: PASSWORD });
    await createPerson(adminApi, { login: 'student@college.ru', name: 'Семён Студентов', role: 'student', unit_id: group.id, password: PASSWORD });

    const teacherCtx = await newContext(browser);
    const studentCtx = await newContext(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    teacherCtx.setDefaultTimeout(10_000);
    studentCtx.setDefaultTimeout(10_000);
    await screenshotOnFailure('admin-roles', [teacherCtx, studentCtx], async () => {
      const teacher = await loginPage(teacherCtx, 'teacher@college.ru', PASSWORD);
      const tNav = nav(teacher);
      await visible(tNav.getByRole('link', { name: 'Люди' }));
      await visible(tNav.getByRole('link', { name: 'Приглашения' }));
      for (const name of ['Заявки', 'Движение', 'Импорт', 'Журнал действий']) {
        assert.equal(await tNav.getByRole('link', { name }).count(), 0, `teacher sees ${name}`);
      }
      // The structure is read-only for them.
      await tNav.getByRole('link', { name: 'Структура' }).click();
      await visible(teacher.getByRole('list', { name: 'Подразделения' }).getByRole('button', { name: /^ТМ-21/ }));
      assert.equal(await teacher.getByRole('button', { name: 'Добавить подразделение' }).count(), 0);
      assert.equal(await teacher.getByRole('button', { name: 'Сведения о колледже' }).count(), 0);
      // Only parent links of groups in their branch.
      await tNav.getByRole('link', { name: 'Приглашения' }).click();
      await visible(label(teacher, 'Для кого'));
      const roles = await label(teacher, 'Для кого').locator('option').allInnerTexts();
      assert.deepEqual(roles, ['Родители']);
      // A screen they cannot use, opened by its address, says so.
      await teacher.goto(`${server.url}/import`);
      await visible(teacher.getByRole('heading', { name: 'Нет доступа' }));
      await teacher.goto(`${server.url}/movements`);
      await visible(teacher.getByRole('heading', { name: 'Нет доступа' }));

      const student = await loginPage(studentCtx, 'student@college.ru', PASSWORD);
      await student.getByRole('button', { name: 'Меню', exact: true }).click();
      const sNav = nav(student);
      await visible(sNav.getByRole('link', { name: 'Главная' }));
      for (const name of ['Структура', 'Люди', 'Приглашения', 'Заявки', 'Движение', 'Импорт', 'Журнал действий']) {
        assert.equal(await sNav.getByRole('link', { name }).count(), 0, `student sees ${name}`);
      }
      await student.keyboard.press('Escape');
      for (const where of ['/people', '/invites', '/requests', '/import', '/audit']) {
        await student.goto(`${server.url}${where}`);
        await visible(student.getByRole('heading', { name: 'Нет доступа' }));
      }
      await noHorizontalScroll(student);
      await screenshot(student, 'student-forbidden-phone-375');
    });
    await teacherCtx.close();
    await studentCtx.close();
  });

  test('people, a person card, a movement and its reversal, the audit log', { timeout: 40_000 }, async () => {
    const tree = await adminApi.get('/api/v1/org/tree');
    const group = tree.json.units.find((u) => u.code === 'ТМ-21');
    const student = await createPerson(adminApi, { login: 'irina@college.ru', name: 'Ирина Новикова', role: 'student', unit_id: group.id });
    const ctx = await newContext(browser);
    ctx.setDefaultTimeout(10_000);
    await screenshotOnFailure('admin-people', [ctx], async () => {
      const page = await loginPage(ctx, ADMIN.login, ADMIN.password);

      // Search people; open a card.
      await nav(page).getByRole('link', { name: 'Люди' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Люди' }));
      await page.getByRole('searchbox', { name: 'Поиск' }).fill('новиков');
      const rows = page.getByRole('table').getByRole('row');
      await visible(page.getByRole('link', { name: 'Ирина Новикова' }));
      await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1);
      await label(page, 'Роль').selectOption({ label: 'Преподаватель' });
      await visible(page.getByText('Никого не нашлось.'));
      await label(page, 'Роль').selectOption({ label: 'Все роли' });
      await page.getByRole('link', { name: 'Ирина Новикова' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Ирина Новикова' }));
      assert.equal(path(page), `/people/${student.id}`);
      const roles = page.getByRole('region', { name: 'Роли' });
      await visible(roles.getByText(/^Студент · Технология машиностроения · с /));
      assert.ok(rows);

      // Academic leave, recorded from the card.
      await page.getByRole('link', { name: 'Записать движение' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Движение контингента' }));
      const record = page.getByRole('region', { name: 'Записать движение' });
      await visible(record.getByText('Ирина Новикова', { exact: true }));
      await label(record, 'Движение').selectOption({ label: 'Студент: Академический отпуск' });
      await label(record, 'Приказ').fill('Приказ № 12-К');
      await record.getByRole('button', { name: 'Записать', exact: true }).click();
      await visible(page.getByText('Записано: Академический отпуск — Ирина Новикова'));
      const journal = page.getByRole('region', { name: 'Журнал движения' });
      await visible(journal.getByText('Приказ № 12-К', { exact: false }).first());
      await screenshot(page, 'admin-movements-desktop-1280');

      // The card shows it; the latest movement is reversed there.
      await page.goto(`${server.url}/people/${student.id}`);
      await visible(page.getByRole('region', { name: 'Роли' }).getByText('Действующих ролей нет.'));
      const history = page.getByRole('region', { name: 'Движение' });
      await visible(history.getByText('Академический отпуск'));
      await history.getByRole('button', { name: 'Отменить' }).click();
      await history.getByRole('button', { name: 'Записать отмену' }).click();
      await visible(page.getByText('Отменено: Академический отпуск'));
      await visible(page.getByRole('region', { name: 'Роли' }).getByText(/^Студент · Технология машиностроения · с /));
      await visible(history.getByText('Выход из академического отпуска'));

      // A role assigned from the card, then ended.
      const assign = page.getByRole('region', { name: 'Назначить роль' });
      await assign.getByLabel('Роль', { exact: true }).selectOption({ label: 'Сотрудник' });
      await assign.getByRole('button', { name: 'Назначить' }).click();
      await visible(page.getByText(/^Назначена роль «Сотрудник»/));
      const staffRole = page.getByRole('region', { name: 'Роли' }).getByRole('listitem').filter({ hasText: 'Сотрудник' });
      await staffRole.getByRole('button', { name: 'Снять роль' }).click();
      await staffRole.getByRole('button', { name: 'Да, снять' }).click();
      await visible(page.getByText(/^Роль «Сотрудник» в .* снята$/));
      await screenshot(page, 'admin-person-desktop-1280');

      // The audit log has it all, searchable and filterable.
      await nav(page).getByRole('link', { name: 'Журнал действий' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Журнал действий' }));
      await label(page, 'Действие').selectOption({ label: 'Движение' });
      const entries = page.getByRole('list').filter({ hasText: 'movement.' });
      await visible(entries.getByText('Академический отпуск', { exact: true }));
      await visible(entries.getByText('Выход из академического отпуска', { exact: true }));
      assert.equal(await entries.getByText('Создано подразделение').count(), 0);
      await label(page, 'Действие').selectOption({ label: 'Все действия' });
      await page.getByRole('searchbox', { name: 'Поиск' }).fill('Бардымский');
      await hidden(page.getByText('Снята роль'));
      await visible(page.getByText('Создано подразделение').first());
      await page.setViewportSize({ width: 375, height: 740 });
      await noHorizontalScroll(page);
      await screenshot(page, 'admin-audit-phone-375');
    });
    await ctx.close();
  });

  test('the join page: a revoked link, joining with an existing account, a rejection with its reason', { timeout: 40_000 }, async () => {
    const tree = (await adminApi.get('/api/v1/org/tree')).json;
    const branch = tree.units.find((u) => u.kind === 'branch');
    const cmk = tree.units.find((u) => u.name === 'ЦМК');
    await createPerson(adminApi, { login: 'metodist@college.ru', name: 'Вера Методистова', role: 'staff', unit_id: branch.id, password: PASSWORD });
    const link = async (body) => {
      const r = await adminApi.request('POST', '/api/v1/invites', { csrf: true, json: body });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const revoked = await link({ role: 'teacher', unit_id: branch.id });
    assert.equal((await adminApi.request('POST', `/api/v1/invites/${revoked.id}/revoke`, { csrf: true })).status, 204);
    const teacherLink = await link({ role: 'teacher', unit_id: cmk.id, needs_approval: false, max_uses: 5 });
    const adminLink = await link({ role: 'administration', unit_id: branch.id });

    const ctx = await newContext(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const adminCtx = await newContext(browser);
    ctx.setDefaultTimeout(10_000);
    adminCtx.setDefaultTimeout(10_000);
    await screenshotOnFailure('admin-join', [ctx, adminCtx], async () => {
      const page = await ctx.newPage();
      await page.goto(revoked.url);
      await visible(page.getByRole('heading', { level: 1, name: 'Ссылка не работает' }));
      await visible(page.getByText('Эту ссылку отозвали. Попросите у куратора или администратора новую.'));

      // An existing account logs in on the join page and joins at once.
      await page.goto(teacherLink.url);
      await visible(page.getByText('Подразделение', { exact: true }));
      await page.getByRole('button', { name: 'У меня есть учётная запись' }).click();
      assert.equal(await label(page, 'Имя').count(), 0);
      await label(page, 'Логин').fill('metodist@college.ru');
      await label(page, 'Пароль').fill('not-her-password');
      await page.getByRole('button', { name: 'Войти и присоединиться' }).click();
      await visible(page.getByText('Неверный логин или пароль'));
      await label(page, 'Пароль').fill(PASSWORD);
      await page.getByRole('button', { name: 'Войти и присоединиться' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Вы присоединились' }));
      await visible(page.getByText('Вы присоединились: Преподаватель, ЦМК'));
      await screenshot(page, 'join-joined-phone-375');

      // Logged in, another link only asks to join; the same link again is refused.
      await page.goto(teacherLink.url);
      await visible(page.getByText('Вы вошли как Вера Методистова (metodist@college.ru).'));
      await page.getByRole('button', { name: 'Присоединиться' }).click();
      await visible(page.getByText('Вы уже подали заявку по этой ссылке или уже состоите здесь'));
      await page.goto(adminLink.url);
      await page.getByRole('button', { name: 'Присоединиться' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'Заявка отправлена' }));

      // The administrator rejects it with a reason...
      const admin = await loginPage(adminCtx, ADMIN.login, ADMIN.password);
      await nav(admin).getByRole('link', { name: 'Заявки' }).click();
      const card = admin.getByRole('listitem').filter({ has: admin.getByRole('heading', { name: 'Вера Методистова' }) });
      await card.getByRole('button', { name: 'Отклонить' }).click();
      await card.getByRole('button', { name: 'Отклонить заявку' }).click();
      await visible(card.getByText('Укажите причину'));
      await label(card, 'Причина отказа').fill('Вы методист, а не администрация. Обратитесь к директору.');
      await card.getByRole('button', { name: 'Отклонить заявку' }).click();
      await visible(admin.getByText('Заявка отклонена: Вера Методистова'));
      await visible(card.getByText('отклонена', { exact: true }));

      // ...which the applicant sees on her home page.
      await page.goto(`${server.url}/`);
      const mine = page.getByRole('region', { name: 'Мои заявки' });
      await visible(mine.getByText('Отклонена. Причина: Вы методист, а не администрация. Обратитесь к директору.'));
      await noHorizontalScroll(page);
      await screenshot(page, 'home-my-requests-phone-375');
    });
    await ctx.close();
    await adminCtx.close();
  });
});
