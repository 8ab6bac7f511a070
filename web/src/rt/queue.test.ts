// SPDX-License-Identifier: MIT
// The send queue on its own: order per chat, one write of a chat on the wire
// at a time, persistence across a reload, acks, refusals and retries.
import { describe, expect, it } from 'vitest';
import { SendQueue } from './queue';
import { MemoryStorage } from './testkit';

const send = (chat: number, text: string) => ({ type: 'send' as const, chat_id: chat, text });

describe('SendQueue', () => {
  it('sends the writes of one chat one at a time, in order, and chats side by side', () => {
    const q = new SendQueue(null, 'k');
    q.add(send(1, 'a'), 'id-a', 1);
    q.add(send(1, 'b'), 'id-b', 2);
    q.add(send(2, 'x'), 'id-x', 3);
    expect(q.takeSendable().map((i) => i.client_id)).toEqual(['id-a', 'id-x']);
    expect(q.takeSendable()).toEqual([]); // chat 1 still has a on the wire
    q.ack('id-a');
    expect(q.takeSendable().map((i) => i.client_id)).toEqual(['id-b']);
  });

  it('keeps writes across a reload and puts what was on the wire back in line', () => {
    const storage = new MemoryStorage();
    const q = new SendQueue(storage, 'k');
    q.add(send(1, 'a'), 'id-a', 1);
    q.add(send(1, 'b'), 'id-b', 2);
    q.takeSendable();
    const again = new SendQueue(storage, 'k');
    expect(again.all().map((i) => [i.client_id, i.state])).toEqual([['id-a', 'queued'], ['id-b', 'queued']]);
    expect(again.takeSendable()[0]!.client_id).toBe('id-a'); // same id as before
  });

  it('removes a write when acknowledged; a second ack of it is ignored', () => {
    const storage = new MemoryStorage();
    const q = new SendQueue(storage, 'k');
    q.add(send(1, 'a'), 'id-a', 1);
    expect(q.ack('id-a')?.client_id).toBe('id-a');
    expect(q.ack('id-a')).toBeUndefined();
    expect(q.all()).toEqual([]);
    expect(storage.getItem('k')).toBeNull();
  });

  it('marks a refused write failed without holding back the next; retry keeps the id and the place', () => {
    const q = new SendQueue(null, 'k');
    q.add(send(1, 'a'), 'id-a', 1);
    q.add(send(1, 'b'), 'id-b', 2);
    q.takeSendable();
    q.fail('id-a', { code: 'forbidden', message: 'muted' });
    expect(q.get('id-a')).toMatchObject({ state: 'failed', error: { code: 'forbidden' } });
    expect(q.takeSendable().map((i) => i.client_id)).toEqual(['id-b']);
    q.ack('id-b');
    expect(q.retry('id-a')).toBe(true);
    expect(q.get('id-a')?.error).toBeUndefined();
    expect(q.takeSendable().map((i) => i.client_id)).toEqual(['id-a']);
    expect(q.all()[0]!.client_id).toBe('id-a');
  });

  it('puts a write back in line after a transient server error', () => {
    const q = new SendQueue(null, 'k');
    q.add(send(1, 'a'), 'id-a', 1);
    q.takeSendable();
    q.fail('id-a', { code: 'io_error', message: '' });
    expect(q.get('id-a')?.state).toBe('queued');
  });

  it('drops a write the user discards', () => {
    const q = new SendQueue(null, 'k');
    q.add(send(1, 'a'), 'id-a', 1);
    q.takeSendable();
    q.fail('id-a', { code: 'invalid_input', message: '', field: 'text' });
    expect(q.remove('id-a')).toBe(true);
    expect(q.all()).toEqual([]);
  });

  it('ignores garbage in storage', () => {
    const storage = new MemoryStorage();
    storage.setItem('k', '{not json');
    expect(new SendQueue(storage, 'k').all()).toEqual([]);
    storage.setItem('k', JSON.stringify([{ nope: 1 }, { client_id: 'ok', op: send(3, 't'), state: 'sending', created_at: 1 }]));
    expect(new SendQueue(storage, 'k').all().map((i) => i.client_id)).toEqual(['ok']);
  });
});
