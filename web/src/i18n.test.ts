// SPDX-License-Identifier: MIT
// i18n.ts: both dictionaries complete and consistent, the language choice, and
// the mapping of API errors to texts.
import { describe, expect, it } from 'vitest';
import { catalogues, chooseLang, errorText, getLang, interpolate, LANGS, roleName, setLang, subscribeLang, t } from './i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogue', () => {
  it('has the same keys in every language', () => {
    const ru = Object.keys(catalogues.ru).sort();
    for (const lang of LANGS) expect(Object.keys(catalogues[lang]).sort()).toEqual(ru);
  });

  it('has no empty texts and the same placeholders in every language', () => {
    for (const key of Object.keys(catalogues.ru) as (keyof typeof catalogues.ru)[]) {
      for (const lang of LANGS) expect(catalogues[lang][key].trim(), `${lang}:${key}`).not.toBe('');
      expect(placeholders(catalogues.en[key]), key).toEqual(placeholders(catalogues.ru[key]));
    }
  });

  it('really is translated: Russian texts are Cyrillic, English ones are not', () => {
    expect(t('login.submit', undefined, 'ru')).toBe('Войти');
    expect(t('login.submit', undefined, 'en')).toBe('Log in');
    const cyrillic = /[а-яё]/i;
    const same = Object.keys(catalogues.ru).filter((k) =>
      catalogues.ru[k as keyof typeof catalogues.ru] === catalogues.en[k as keyof typeof catalogues.en]);
    expect(same).toEqual(['app.name']);
    const enWithCyrillic = Object.entries(catalogues.en).filter(([k, v]) => cyrillic.test(v) && k !== 'lang.other' && k !== 'lang.switch');
    expect(enWithCyrillic).toEqual([]);
  });

  it('fills placeholders', () => {
    expect(t('home.greeting', { name: 'Анна' }, 'ru')).toBe('Здравствуйте, Анна!');
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});

describe('language choice', () => {
  it('is Russian unless English was chosen', () => {
    expect(chooseLang(null)).toBe('ru');
    expect(chooseLang(undefined)).toBe('ru');
    expect(chooseLang('de')).toBe('ru');
    expect(chooseLang('')).toBe('ru');
    expect(chooseLang('ru')).toBe('ru');
    expect(chooseLang('en')).toBe('en');
  });

  it('switches t() and tells subscribers', () => {
    const seen: string[] = [];
    const off = subscribeLang((l) => seen.push(l));
    setLang('en');
    expect(getLang()).toBe('en');
    expect(t('nav.profile')).toBe('Profile');
    setLang('ru');
    expect(t('nav.profile')).toBe('Профиль');
    off();
    setLang('en');
    expect(seen).toEqual(['en', 'ru']);
    setLang('ru');
  });
});

describe('errorText', () => {
  const err = (code: string, extra: Partial<{ status: number; message: string; field: string; retryAfter: number }> = {}) =>
    ({ status: 400, message: '', ...extra, code });

  it('maps known codes to catalogue texts in the chosen language', () => {
    expect(errorText(err('bad_credentials', { status: 401, message: 'server text' }), 'ru')).toBe('Неверный логин или пароль');
    expect(errorText(err('bad_credentials', { status: 401 }), 'en')).toBe('Wrong login or password');
    expect(errorText(err('network', { status: 0 }), 'ru')).toMatch(/Нет связи/);
  });

  it('uses the field text for invalid input when there is one, else the server message', () => {
    expect(errorText(err('invalid_input', { field: 'new_password', message: 'x' }), 'ru')).toMatch(/Новый пароль/);
    expect(errorText(err('invalid_input', { field: 'group_code', message: 'Код группы занят' }), 'ru')).toBe('Код группы занят');
  });

  it('says how long to wait when rate-limited', () => {
    expect(errorText(err('rate_limited', { status: 429, retryAfter: 29.2 }), 'ru')).toBe('Слишком много попыток. Попробуйте снова через 30 с.');
    expect(errorText(err('rate_limited', { status: 429 }), 'en')).toBe('Too many attempts. Wait and try again.');
    expect(errorText(err('rate_limited', { status: 429, retryAfter: 179 }), 'ru')).toBe('Слишком много попыток. Попробуйте снова через 3 мин.');
    expect(errorText(err('rate_limited', { status: 429, retryAfter: 900 }), 'en')).toBe('Too many attempts. Try again in 15 min.');
  });

  it('falls back to the server message, then to a text by status', () => {
    expect(errorText(err('brand_new_code', { message: 'Сообщение сервера' }), 'ru')).toBe('Сообщение сервера');
    expect(errorText(err('http_502', { status: 502 }), 'en')).toBe('Server error. Please try again later.');
    expect(errorText(err('http_418', { status: 418 }), 'en')).toBe('Something went wrong. Please try again.');
  });

  it('names known roles and shows unknown ones as they are', () => {
    expect(roleName('teacher', 'ru')).toBe('Преподаватель');
    expect(roleName('librarian', 'ru')).toBe('librarian');
  });
});
