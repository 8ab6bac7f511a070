// SPDX-License-Identifier: MIT
// The one text catalogue of the web client: Russian (default) and English.
// `en` is typed as Record<MsgKey, string>, so a key missing from (or extra in) a
// dictionary fails `tsc`; i18n.test.ts also checks that placeholders match.
// The chosen language is kept in localStorage and sent to the server as
// Accept-Language (see api.ts), so server messages come in the same language.
import { adminEn, adminRu } from './i18n/admin';
import { chatEn, chatRu } from './i18n/chat';

export type Lang = 'ru' | 'en';
export const LANGS: readonly Lang[] = ['ru', 'en'];
export const DEFAULT_LANG: Lang = 'ru';
export const LANG_STORAGE_KEY = 'parta.lang';

const ru = {
  'app.name': 'Parta',
  'app.loading': 'Загрузка…',
  'app.skip': 'Перейти к содержимому',
  'app.tagline': 'Мессенджер колледжа',
  'common.retry': 'Повторить',

  'lang.other': 'English',
  'lang.switch': 'Switch to English',

  'nav.label': 'Основное меню',
  'nav.home': 'Главная',
  'nav.profile': 'Профиль',
  'nav.logout': 'Выйти',
  'nav.loggingOut': 'Выход…',
  'nav.menu': 'Меню',
  'nav.closeMenu': 'Закрыть меню',
  'nav.chats': 'Чаты',
  'nav.chatsSoon': 'Скоро здесь появятся чаты ваших групп и предметов.',

  'home.title': 'Главная',
  'home.greeting': 'Здравствуйте, {name}!',
  'home.lead': 'Вы вошли в Parta. Скоро здесь появятся чаты колледжа: учебные группы, предметы, родительские чаты и объявления.',
  'home.profileCard': 'Профиль и безопасность',
  'home.profileText': 'Смените пароль и проверьте, на каких устройствах выполнен вход.',
  'home.profileLink': 'Открыть профиль',
  'home.roles': 'Ваши роли',

  'role.admin': 'Администратор платформы',
  'role.platform_admin': 'Администратор платформы',
  'role.administration': 'Администрация',
  'role.director': 'Директор',
  'role.curator': 'Куратор',
  'role.teacher': 'Преподаватель',
  'role.student': 'Студент',
  'role.parent': 'Родитель',
  'role.staff': 'Сотрудник',

  'login.title': 'Вход',
  'login.heading': 'Вход в Parta',
  'login.login': 'Логин',
  'login.loginHint': 'E-mail или номер телефона',
  'login.password': 'Пароль',
  'login.submit': 'Войти',
  'login.submitting': 'Вход…',
  'login.sessionEnded': 'Сеанс завершён. Войдите снова.',
  'login.loggedOut': 'Вы вышли из Parta.',

  'setup.title': 'Настройка',
  'setup.heading': 'Первый администратор',
  'setup.lead': 'Создайте учётную запись администратора. Ссылка на настройку действует один раз.',
  'setup.checking': 'Проверяем ссылку…',
  'setup.invalidHeading': 'Ссылка недействительна',
  'setup.invalidText': 'Эта ссылка на настройку уже использована или неверна. Если администратор уже создан, войдите в систему. Новую ссылку можно получить на сервере.',
  'setup.toLogin': 'Перейти ко входу',
  'setup.login': 'Логин',
  'setup.loginHint': 'E-mail или номер телефона, например +7 900 123-45-67',
  'setup.name': 'Имя',
  'setup.nameHint': 'Как вас будут видеть другие, например «Анна Петровна Смирнова»',
  'setup.password': 'Пароль',
  'setup.passwordHint': 'Не короче 8 символов',
  'setup.password2': 'Повторите пароль',
  'setup.submit': 'Создать администратора',
  'setup.submitting': 'Создание…',

  'profile.title': 'Профиль',
  'profile.account': 'Учётная запись',
  'profile.name': 'Имя',
  'profile.login': 'Логин',
  'profile.roles': 'Роли',

  'password.heading': 'Смена пароля',
  'password.current': 'Текущий пароль',
  'password.new': 'Новый пароль',
  'password.newHint': 'От 8 до 256 символов. На других устройствах потребуется войти заново.',
  'password.repeat': 'Повторите новый пароль',
  'password.submit': 'Сменить пароль',
  'password.submitting': 'Сохранение…',
  'password.done': 'Пароль изменён. Остальные сеансы завершены.',
  'password.wrongCurrent': 'Неверный текущий пароль',

  'sessions.heading': 'Сеансы',
  'sessions.lead': 'Устройства, на которых выполнен вход в вашу учётную запись.',
  'sessions.refresh': 'Обновить',
  'sessions.loading': 'Загрузка сеансов…',
  'sessions.current': 'Это устройство',
  'sessions.ip': 'IP-адрес',
  'sessions.created': 'Вход',
  'sessions.lastSeen': 'Активность',
  'sessions.revoke': 'Завершить',
  'sessions.revoking': 'Завершение…',
  'sessions.revoked': 'Сеанс завершён.',
  'sessions.onlyThis': 'Других сеансов нет.',
  'sessions.unknownDevice': 'Неизвестное устройство',
  'sessions.device': '{browser}, {os}',

  'v.required': 'Заполните это поле',
  'v.login': 'Введите e-mail или номер телефона',
  'v.nameLength': 'Имя должно содержать от 1 до 200 символов',
  'v.passwordLength': 'Пароль должен содержать от 8 до 256 символов',
  'v.passwordMismatch': 'Пароли не совпадают',
  'v.fixErrors': 'Проверьте выделенные поля',

  'notFound.title': 'Страница не найдена',
  'notFound.text': 'Такой страницы нет. Возможно, ссылка устарела.',
  'notFound.home': 'На главную',

  'error.network': 'Нет связи с сервером. Проверьте подключение и попробуйте снова.',
  'error.unknown': 'Что-то пошло не так. Попробуйте ещё раз.',
  'error.server': 'Ошибка на сервере. Попробуйте позже.',
  'error.invalid_input': 'Неверные данные в запросе',
  'error.unauthenticated': 'Нужно войти в систему',
  'error.bad_credentials': 'Неверный логин или пароль',
  'error.forbidden': 'Недостаточно прав для этого действия',
  'error.csrf_failed': 'Запрос отклонён: обновите страницу и повторите',
  'error.not_found': 'Не найдено',
  'error.method_not_allowed': 'Действие не поддерживается',
  'error.conflict': 'Конфликт с текущим состоянием данных',
  'error.expired': 'Срок действия истёк',
  'error.limit_exceeded': 'Превышено допустимое значение',
  'error.payload_too_large': 'Слишком большой запрос',
  'error.rate_limited': 'Слишком много попыток. Подождите и попробуйте снова.',
  'error.rate_limited_wait': 'Слишком много попыток. Попробуйте снова через {seconds} с.',
  'error.rate_limited_wait_min': 'Слишком много попыток. Попробуйте снова через {minutes} мин.',
  'error.unsupported': 'Формат не поддерживается',
  'error.unavailable': 'Сервис временно недоступен',
  'error.no_memory': 'Сервер перегружен, попробуйте позже',
  'error.io_error': 'Ошибка на сервере. Попробуйте позже.',
  'error.internal': 'Внутренняя ошибка сервера',

  'invalid.login': 'Введите e-mail или номер телефона',
  'invalid.name': 'Имя должно содержать от 1 до 200 символов',
  'invalid.password': 'Пароль должен содержать от 8 до 256 символов',
  'invalid.new_password': 'Новый пароль должен содержать от 8 до 256 символов',
  'invalid.current_password': 'Введите текущий пароль',
  ...chatRu,
  ...adminRu,
} as const;

export type MsgKey = keyof typeof ru;
export type Dict = Record<MsgKey, string>;

const en: Dict = {
  'app.name': 'Parta',
  'app.loading': 'Loading…',
  'app.skip': 'Skip to content',
  'app.tagline': 'College messenger',
  'common.retry': 'Try again',

  'lang.other': 'Русский',
  'lang.switch': 'Переключить на русский',

  'nav.label': 'Main menu',
  'nav.home': 'Home',
  'nav.profile': 'Profile',
  'nav.logout': 'Log out',
  'nav.loggingOut': 'Logging out…',
  'nav.menu': 'Menu',
  'nav.closeMenu': 'Close menu',
  'nav.chats': 'Chats',
  'nav.chatsSoon': 'Your group and subject chats will appear here soon.',

  'home.title': 'Home',
  'home.greeting': 'Hello, {name}!',
  'home.lead': 'You are logged in to Parta. College chats will appear here soon: study groups, subjects, parent chats and announcements.',
  'home.profileCard': 'Profile and security',
  'home.profileText': 'Change your password and check which devices are logged in.',
  'home.profileLink': 'Open profile',
  'home.roles': 'Your roles',

  'role.admin': 'Platform administrator',
  'role.platform_admin': 'Platform administrator',
  'role.administration': 'Administration',
  'role.director': 'Director',
  'role.curator': 'Curator',
  'role.teacher': 'Teacher',
  'role.student': 'Student',
  'role.parent': 'Parent',
  'role.staff': 'Staff',

  'login.title': 'Log in',
  'login.heading': 'Log in to Parta',
  'login.login': 'Login',
  'login.loginHint': 'E-mail or phone number',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.submitting': 'Logging in…',
  'login.sessionEnded': 'Your session has ended. Please log in again.',
  'login.loggedOut': 'You have logged out of Parta.',

  'setup.title': 'Setup',
  'setup.heading': 'First administrator',
  'setup.lead': 'Create the administrator account. The setup link works only once.',
  'setup.checking': 'Checking the link…',
  'setup.invalidHeading': 'This link is not valid',
  'setup.invalidText': 'This setup link has already been used or is wrong. If the administrator already exists, log in. A new link can be obtained on the server.',
  'setup.toLogin': 'Go to login',
  'setup.login': 'Login',
  'setup.loginHint': 'E-mail or phone number, e.g. +7 900 123-45-67',
  'setup.name': 'Name',
  'setup.nameHint': 'How others will see you, e.g. “Anna Smirnova”',
  'setup.password': 'Password',
  'setup.passwordHint': 'At least 8 characters',
  'setup.password2': 'Repeat password',
  'setup.submit': 'Create administrator',
  'setup.submitting': 'Creating…',

  'profile.title': 'Profile',
  'profile.account': 'Account',
  'profile.name': 'Name',
  'profile.login': 'Login',
  'profile.roles': 'Roles',

  'password.heading': 'Change password',
  'password.current': 'Current password',
  'password.new': 'New password',
  'password.newHint': '8 to 256 characters. Other devices will have to log in again.',
  'password.repeat': 'Repeat new password',
  'password.submit': 'Change password',
  'password.submitting': 'Saving…',
  'password.done': 'Password changed. Other sessions have been ended.',
  'password.wrongCurrent': 'The current password is wrong',

  'sessions.heading': 'Sessions',
  'sessions.lead': 'Devices that are logged in to your account.',
  'sessions.refresh': 'Refresh',
  'sessions.loading': 'Loading sessions…',
  'sessions.current': 'This device',
  'sessions.ip': 'IP address',
  'sessions.created': 'Logged in',
  'sessions.lastSeen': 'Last active',
  'sessions.revoke': 'End',
  'sessions.revoking': 'Ending…',
  'sessions.revoked': 'Session ended.',
  'sessions.onlyThis': 'No other sessions.',
  'sessions.unknownDevice': 'Unknown device',
  'sessions.device': '{browser} on {os}',

  'v.required': 'Fill in this field',
  'v.login': 'Enter an e-mail or a phone number',
  'v.nameLength': 'The name must be 1 to 200 characters long',
  'v.passwordLength': 'The password must be 8 to 256 characters long',
  'v.passwordMismatch': 'The passwords do not match',
  'v.fixErrors': 'Check the highlighted fields',

  'notFound.title': 'Page not found',
  'notFound.text': 'There is no such page. The link may be outdated.',
  'notFound.home': 'Go home',

  'error.network': 'No connection to the server. Check your connection and try again.',
  'error.unknown': 'Something went wrong. Please try again.',
  'error.server': 'Server error. Please try again later.',
  'error.invalid_input': 'The request contains invalid data',
  'error.unauthenticated': 'You need to log in',
  'error.bad_credentials': 'Wrong login or password',
  'error.forbidden': 'You are not allowed to do this',
  'error.csrf_failed': 'Request refused: reload the page and try again',
  'error.not_found': 'Not found',
  'error.method_not_allowed': 'This action is not supported',
  'error.conflict': 'Conflicts with the current state',
  'error.expired': 'This has expired',
  'error.limit_exceeded': 'A limit was exceeded',
  'error.payload_too_large': 'The request is too large',
  'error.rate_limited': 'Too many attempts. Wait and try again.',
  'error.rate_limited_wait': 'Too many attempts. Try again in {seconds} s.',
  'error.rate_limited_wait_min': 'Too many attempts. Try again in {minutes} min.',
  'error.unsupported': 'Unsupported format',
  'error.unavailable': 'Service temporarily unavailable',
  'error.no_memory': 'The server is overloaded, try again later',
  'error.io_error': 'Server error. Please try again later.',
  'error.internal': 'Internal server error',

  'invalid.login': 'Enter an e-mail or a phone number',
  'invalid.name': 'The name must be 1 to 200 characters long',
  'invalid.password': 'The password must be 8 to 256 characters long',
  'invalid.new_password': 'The new password must be 8 to 256 characters long',
  'invalid.current_password': 'Enter your current password',
  ...chatEn,
  ...adminEn,
};

export const catalogues: Record<Lang, Dict> = { ru, en };

export function isMsgKey(key: string): key is MsgKey {
  return Object.prototype.hasOwnProperty.call(ru, key);
}

/* The stored choice wins; anything else (nothing stored, garbage) is Russian. */
export function chooseLang(stored: string | null | undefined): Lang {
  return stored === 'en' || stored === 'ru' ? stored : DEFAULT_LANG;
}

function readStoredLang(): string | null {
  try {
    return globalThis.localStorage?.getItem(LANG_STORAGE_KEY) ?? null;
  } catch {
    return null; // storage disabled (privacy mode) or not a browser
  }
}

let current: Lang = chooseLang(readStoredLang());
const listeners = new Set<(lang: Lang) => void>();

export function getLang(): Lang {
  return current;
}

/* Switch the language, remember it, and tell subscribers (the app re-renders). */
export function setLang(lang: Lang): void {
  current = lang;
  try {
    globalThis.localStorage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    /* not persisted; still switched for this page */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
}

export function subscribeLang(fn: (lang: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/* Replace {name} placeholders; unknown placeholders are left as they are. */
export function interpolate(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m);
}

export function t(key: MsgKey, params?: Record<string, string | number>, lang: Lang = current): string {
  return interpolate(catalogues[lang][key], params);
}

/* What errorText needs to know about an error (ApiError satisfies it). */
export interface ErrorLike {
  status: number;
  code: string;
  message: string;
  field?: string | null;
  retryAfter?: number | null;
}

/* The text to show for an API error: our catalogue text for its code (or for
 * the invalid field), else the server's own message (already in the chosen
 * language via Accept-Language), else a generic text by status. */
export function errorText(err: ErrorLike, lang: Lang = current): string {
  if (err.code === 'network') return t('error.network', undefined, lang);
  if (err.code === 'rate_limited' && err.retryAfter && err.retryAfter > 0) {
    return err.retryAfter < 90
      ? t('error.rate_limited_wait', { seconds: Math.ceil(err.retryAfter) }, lang)
      : t('error.rate_limited_wait_min', { minutes: Math.ceil(err.retryAfter / 60) }, lang);
  }
  if (err.code === 'invalid_input' && err.field) {
    const fieldKey = `invalid.${err.field}`;
    if (isMsgKey(fieldKey)) return t(fieldKey, undefined, lang);
    if (err.message) return err.message;
  }
  const key = `error.${err.code}`;
  if (isMsgKey(key)) return t(key, undefined, lang);
  if (err.message) return err.message;
  return t(err.status >= 500 ? 'error.server' : 'error.unknown', undefined, lang);
}

/* Human name of a role id from the server; unknown roles are shown as they are. */
export function roleName(role: string, lang: Lang = current): string {
  const key = `role.${role}`;
  return isMsgKey(key) ? t(key, undefined, lang) : role;
}
