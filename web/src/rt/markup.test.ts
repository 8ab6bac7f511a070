// SPDX-License-Identifier: MIT
// Message formatting: bold, italic, links (http/https only, trailing
// punctuation left out), mentions, and the cases that must stay plain.
import { describe, expect, it } from 'vitest';
import { parseMarkup, plainText, safeHref } from './markup';

describe('parseMarkup', () => {
  it('leaves plain text alone', () => {
    expect(parseMarkup('Привет, группа!')).toEqual([{ t: 'text', v: 'Привет, группа!' }]);
  });

  it('reads *bold* and _italic_, nested', () => {
    expect(parseMarkup('это *важно* и _очень_')).toEqual([
      { t: 'text', v: 'это ' }, { t: 'b', c: [{ t: 'text', v: 'важно' }] },
      { t: 'text', v: ' и ' }, { t: 'i', c: [{ t: 'text', v: 'очень' }] },
    ]);
    expect(parseMarkup('*жирный _и курсив_*')).toEqual([
      { t: 'b', c: [{ t: 'text', v: 'жирный ' }, { t: 'i', c: [{ t: 'text', v: 'и курсив' }] }] },
    ]);
  });

  it('does not format inside words, across lines or around spaces', () => {
    for (const s of ['2*3*4', 'snake_case_name', '* not bold *', '*open\nclose*', 'a * b', '**']) {
      expect(plainText(parseMarkup(s)), s).toBe(s);
      expect(parseMarkup(s).every((n) => n.t === 'text'), s).toBe(true);
    }
  });

  it('links web addresses, without trailing punctuation', () => {
    expect(parseMarkup('см. https://example.org/a_b_c.')).toEqual([
      { t: 'text', v: 'см. ' }, { t: 'link', href: 'https://example.org/a_b_c', v: 'https://example.org/a_b_c' },
      { t: 'text', v: '.' },
    ]);
    expect(parseMarkup('(www.college.ru)')).toEqual([
      { t: 'text', v: '(' }, { t: 'link', href: 'https://www.college.ru/', v: 'www.college.ru' }, { t: 'text', v: ')' },
    ]);
    expect(parseMarkup('https://ru.wikipedia.org/wiki/A_(b)')[0]).toMatchObject({ t: 'link', v: 'https://ru.wikipedia.org/wiki/A_(b)' });
  });

  it('formats around links', () => {
    expect(parseMarkup('*см. https://x.org*')).toEqual([
      { t: 'b', c: [{ t: 'text', v: 'см. ' }, { t: 'link', href: 'https://x.org/', v: 'https://x.org' }] },
    ]);
  });

  it('never links other schemes', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(parseMarkup('javascript:alert(1)')).toEqual([{ t: 'text', v: 'javascript:alert(1)' }]);
    expect(parseMarkup('<b>hi</b>')).toEqual([{ t: 'text', v: '<b>hi</b>' }]);
  });

  it('marks mentions of the people the message names', () => {
    const people = [{ id: 3, name: 'Анна' }, { id: 4, name: 'Анна Петрова' }];
    expect(parseMarkup('@Анна Петрова, привет; e@mail', people)).toEqual([
      { t: 'mention', v: '@Анна Петрова', id: 4 }, { t: 'text', v: ', привет; e@mail' },
    ]);
    expect(parseMarkup('@Олег', people)).toEqual([{ t: 'text', v: '@Олег' }]);
  });
});
