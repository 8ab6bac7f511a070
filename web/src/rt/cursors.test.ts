// SPDX-License-Identifier: MIT
// Cursor rules: in order → apply; at or below the cursor → duplicate; a gap
// outside a sync → re-sync once (not applied); inside a sync → apply.
import { describe, expect, it } from 'vitest';
import { Cursors } from './cursors';
import { MemoryStorage } from './testkit';

describe('Cursors', () => {
  it('applies the next seq and ignores what it has', () => {
    const c = new Cursors(null, 'k');
    expect(c.classify(1, 10, false)).toBe('apply'); // first event of an unknown chat
    expect(c.classify(1, 11, false)).toBe('apply');
    expect(c.classify(1, 11, false)).toBe('duplicate');
    expect(c.classify(1, 3, false)).toBe('duplicate');
    expect(c.get(1)).toBe(11);
  });

  it('reports a gap once without moving; the same gap again is accepted', () => {
    const c = new Cursors(null, 'k');
    c.initIfMissing(1, 5);
    expect(c.classify(1, 8, false)).toBe('gap');
    expect(c.get(1)).toBe(5);
    expect(c.classify(1, 8, false)).toBe('apply');
    expect(c.get(1)).toBe(8);
    expect(c.classify(1, 12, false)).toBe('gap'); // a new gap is a new question
  });

  it('accepts skipped seqs during a sync', () => {
    const c = new Cursors(null, 'k');
    c.initIfMissing(1, 5);
    expect(c.classify(1, 9, true)).toBe('apply');
  });

  it('does not overwrite a known cursor when the sync reports the chat end', () => {
    const c = new Cursors(null, 'k');
    c.initIfMissing(1, 5);
    c.initIfMissing(1, 40);
    expect(c.get(1)).toBe(5);
  });

  it('persists and reloads, ignoring garbage', () => {
    const s = new MemoryStorage();
    const c = new Cursors(s, 'k');
    c.initIfMissing(3, 7);
    c.classify(4, 2, false);
    c.save();
    expect(new Cursors(s, 'k').toJSON()).toEqual({ 3: 7, 4: 2 });
    s.setItem('k', '{"x":1,"5":"a","6":-1,"7":9}');
    expect(new Cursors(s, 'k').toJSON()).toEqual({ 7: 9 });
    s.setItem('k', 'nope');
    expect(new Cursors(s, 'k').toJSON()).toEqual({});
  });
});
