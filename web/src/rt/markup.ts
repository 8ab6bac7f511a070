// SPDX-License-Identifier: MIT
// The light formatting of message texts, parsed into a tree that the view
// renders as elements (never as HTML): *bold*, _italic_ (nested either way),
// web links (http, https, www.) and @mentions of the people a message names.
// A delimiter opens only at the start of a word and closes only at its end,
// so 2*3*4 or snake_case stay as they are; links are cut out first so that
// an underscore inside a URL is never formatting.

export type Node =
  | { t: 'text'; v: string }
  | { t: 'b'; c: Node[] }
  | { t: 'i'; c: Node[] }
  | { t: 'link'; href: string; v: string }
  | { t: 'mention'; v: string; id: number };

export interface MentionName {
  id: number;
  name: string;
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"«»]+/giu;
const TRAILING = /[.,;:!?'"»)\]*_]+$/u;
const OPEN_BEFORE = /[\s([{«"'„“—–-]/u;
const CLOSE_AFTER = /[\s)\]}».,;:!?"'“”—–-]/u;
/* the server refuses NUL in texts, so it can mark where a link was cut out */
const MARK = '\u0000';

/* Only http(s) links are ever made clickable. */
export function safeHref(url: string): string | null {
  const href = /^www\./i.test(url) ? `https://${url}` : url;
  try {
    const u = new URL(href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/* Cut links out of text: the text with each link replaced by MARK n MARK. */
function cutLinks(text: string, links: { href: string; v: string }[]): string {
  return text.replace(URL_RE, (m) => {
    let url = m;
    let rest = '';
    const trail = TRAILING.exec(url);
    if (trail) {
      let cut = trail[0];
      let body = url.slice(0, url.length - cut.length);
      // a closing bracket that closes one opened inside the URL belongs to it
      const opens = body.split('(').length - 1;
      const closes = body.split(')').length - 1;
      if (cut.startsWith(')') && opens > closes) {
        body += ')';
        cut = cut.slice(1);
      }
      url = body;
      rest = cut;
    }
    const href = safeHref(url);
    if (!href) return m;
    links.push({ href, v: url });
    return `${MARK}${links.length - 1}${MARK}${rest}`;
  });
}

function isOpen(text: string, i: number): boolean {
  const prev = i > 0 ? text[i - 1]! : '';
  const next = text[i + 1] ?? '';
  return (prev === '' || OPEN_BEFORE.test(prev) || prev === MARK) && next !== '' && !/\s/u.test(next);
}

function isClose(text: string, i: number): boolean {
  const prev = i > 0 ? text[i - 1]! : '';
  const next = text[i + 1] ?? '';
  return prev !== '' && !/\s/u.test(prev) && (next === '' || CLOSE_AFTER.test(next) || next === '*' || next === '_');
}

/* Formatting of one stretch (links already cut out). */
function format(text: string, links: { href: string; v: string }[], mentions: MentionName[], depth: number): Node[] {
  const out: Node[] = [];
  let plain = '';
  let i = 0;
  const flush = () => {
    if (plain) out.push(...leaves(plain, links, mentions));
    plain = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if ((ch === '*' || ch === '_') && depth < 4 && isOpen(text, i)) {
      // the nearest closing delimiter on the same line
      let j = i + 2;
      let found = -1;
      while (j < text.length && text[j] !== '\n') {
        if (text[j] === ch && isClose(text, j)) {
          found = j;
          break;
        }
        j++;
      }
      if (found > i + 1) {
        flush();
        const inner = format(text.slice(i + 1, found), links, mentions, depth + 1);
        out.push(ch === '*' ? { t: 'b', c: inner } : { t: 'i', c: inner });
        i = found + 1;
        continue;
      }
    }
    plain += ch;
    i++;
  }
  flush();
  return out;
}

/* Plain text with link marks and mentions. */
function leaves(text: string, links: { href: string; v: string }[], mentions: MentionName[]): Node[] {
  const out: Node[] = [];
  const parts = text.split(MARK);
  // parts alternate: text, link index, text, …
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    if (k % 2 === 1) {
      const link = links[Number(p)];
      if (link) out.push({ t: 'link', href: link.href, v: link.v });
      continue;
    }
    if (p) out.push(...withMentions(p, mentions));
  }
  return out;
}

function withMentions(text: string, mentions: MentionName[]): Node[] {
  if (!mentions.length || !text.includes('@')) return [{ t: 'text', v: text }];
  // longest names first, so "Анна Петрова" wins over "Анна"
  const names = mentions.filter((m) => m.name).sort((a, b) => b.name.length - a.name.length);
  const out: Node[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '@' && (i === 0 || /[\s(«"']/u.test(text[i - 1]!))) {
      const rest = text.slice(i + 1);
      const m = names.find((n) => rest.toLowerCase().startsWith(n.name.toLowerCase()));
      if (m) {
        if (plain) out.push({ t: 'text', v: plain });
        plain = '';
        out.push({ t: 'mention', v: `@${rest.slice(0, m.name.length)}`, id: m.id });
        i += 1 + m.name.length;
        continue;
      }
    }
    plain += text[i];
    i++;
  }
  if (plain) out.push({ t: 'text', v: plain });
  return out;
}

/* Parse a message text. mentions: the people the message mentions. */
export function parseMarkup(text: string, mentions: MentionName[] = []): Node[] {
  const links: { href: string; v: string }[] = [];
  const cut = cutLinks(text.split(MARK).join(''), links);
  return format(cut, links, mentions, 0);
}

/* The text without formatting marks (previews, screen reader labels). */
export function plainText(nodes: Node[]): string {
  return nodes.map((n) => (n.t === 'b' || n.t === 'i' ? plainText(n.c) : n.v)).join('');
}
