// SPDX-License-Identifier: MIT
// /chats and /chats/:id: the chat list and the open chat side by side on a
// desktop; on a phone two screens, the list or the chat (with a button back).
// /chats/:id?m=SEQ opens the chat at message SEQ (links from search results).
import { useEffect } from 'preact/hooks';
import type { User } from '../api';
import { ChatList } from '../chat/ChatList';
import { ChatView } from '../chat/ChatView';
import { t } from '../i18n';
import { useChatSession } from '../rt/session';
import { matchPath, useLocation } from '../router';
import { useTitle } from '../ui';

export function ChatsPage({ user }: { user: User }) {
  useTitle('chat.title');
  const session = useChatSession(user);
  const loc = useLocation();
  const params = matchPath('/chats/:id', loc.path);
  const id = params ? Number(params.id) : NaN;
  const chatId = Number.isSafeInteger(id) && id > 0 ? id : null;
  const m = Number(loc.search.get('m'));
  const target = chatId !== null && Number.isSafeInteger(m) && m > 0 ? m : null;
  const chat = chatId !== null ? session.store.chats.get(chatId) : undefined;
  const title = chat?.title;
  useEffect(() => {
    document.title = `${title ?? t('chat.title')} — ${t('app.name')}`;
  }, [title]);
  return (
    <div class="chats-page" data-screen={chatId !== null ? 'chat' : 'list'}>
      <ChatList session={session} user={user} activeId={chatId} />
      {chatId !== null
        ? <ChatView key={`${chatId}:${target ?? ''}`} session={session} user={user} chatId={chatId} target={target} />
        : <section class="chat-view chat-view-empty" aria-label={t('chat.title')}><p class="lead chat-view-note">{t('chat.view.none')}</p></section>}
    </div>
  );
}
