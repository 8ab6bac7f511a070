// SPDX-License-Identifier: MIT
// ChatLinks.tsx: which chats offer invitation links in the members panel, and
// how the server's refusals of a link become the page's explanations.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { isMsgKey } from '../i18n';
import type { Chat } from '../rt/protocol';
import { chatTakesLinks, linkRefusalKey } from './ChatLinks';

function chat(over: Partial<Chat>): Chat {
  return {
    id: 1, kind: 'group', mandatory: null, title: 'Кружок', description: '', unit_id: null, subject: null,
    post_policy: 'all', add_policy: 'admins', slow_mode_s: 0, archived: false, created_by: 2, created_at: 0,
    last_seq: 1, read_seq: 1, unread: 0, my_role: 'owner', muted_until: null, members_count: 1, peer: null,
    last_message: null, ...over,
  };
}

describe('chatTakesLinks', () => {
  it('owners and admins of free group chats and channels', () => {
    expect(chatTakesLinks(chat({}))).toBe(true);
    expect(chatTakesLinks(chat({ my_role: 'admin', kind: 'channel' }))).toBe(true);
  });

  it('not members, not direct, mandatory or archived chats', () => {
    expect(chatTakesLinks(chat({ my_role: 'member' }))).toBe(false);
    expect(chatTakesLinks(chat({ kind: 'direct' }))).toBe(false);
    expect(chatTakesLinks(chat({ mandatory: 'study_group', my_role: 'admin' }))).toBe(false);
    expect(chatTakesLinks(chat({ mandatory: 'subject' }))).toBe(false);
    expect(chatTakesLinks(chat({ archived: true }))).toBe(false);
  });
});

describe('linkRefusalKey', () => {
  const err = (status: number, code: string, field: string | null = null) => new ApiError(status, code, '', field);

  it('explains links that no longer work', () => {
    expect(linkRefusalKey(err(404, 'not_found'))).toBe('chat.linkPage.gone.unknown');
    expect(linkRefusalKey(err(410, 'expired', 'revoked'))).toBe('chat.linkPage.gone.revoked');
    expect(linkRefusalKey(err(410, 'expired', 'expired'))).toBe('chat.linkPage.gone.expired');
    expect(linkRefusalKey(err(410, 'expired', 'exhausted'))).toBe('chat.linkPage.gone.exhausted');
    expect(linkRefusalKey(err(410, 'expired', 'other'))).toBe('chat.linkPage.gone.expired');
  });

  it('explains the policy\'s refusals', () => {
    expect(linkRefusalKey(err(403, 'forbidden', 'link'))).toBe('chat.linkPage.refused.link');
    expect(linkRefusalKey(err(403, 'forbidden', 'removed'))).toBe('chat.linkPage.refused.removed');
    expect(linkRefusalKey(err(403, 'forbidden'))).toBe('chat.linkPage.refused.outside');
  });

  it('leaves other failures to the generic texts', () => {
    expect(linkRefusalKey(err(403, 'csrf_failed'))).toBeNull();
    expect(linkRefusalKey(err(429, 'rate_limited'))).toBeNull();
    expect(linkRefusalKey(err(0, 'network'))).toBeNull();
    expect(linkRefusalKey(new Error('boom'))).toBeNull();
  });

  it('every key it returns is in the catalogue', () => {
    const cases = [err(404, 'x'), err(410, 'x', 'revoked'), err(410, 'x', 'exhausted'), err(410, 'x'),
      err(403, 'forbidden', 'link'), err(403, 'forbidden', 'removed'), err(403, 'forbidden')];
    for (const e of cases) expect(isMsgKey(linkRefusalKey(e)!)).toBe(true);
  });
});
