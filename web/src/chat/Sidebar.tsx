// SPDX-License-Identifier: MIT
// The chats' place in the shell's sidebar: it holds the chat session for as
// long as the user is logged in (so unread counts and the connection stay
// live on every page) and lists the most recent chats with their unread
// counts (the main navigation links to all of them).
import type { User } from '../api';
import { t } from '../i18n';
import { useChatSession } from '../rt/session';
import { Link } from '../ui';
import { plural } from './common';
import './chat.css';

export function SidebarChats({ user, path }: { user: User; path: string }) {
  const session = useChatSession(user);
  const chats = session.store.sortedChats().slice(0, 6);
  if (!chats.length) return <p class="muted small">{session.store.chatsLoaded ? t('chat.list.empty') : t('chat.list.loading')}</p>;
  return (
    <ul class="sidebar-chat-list">
      {chats.map((c) => (
        <li key={c.id}>
          <Link href={`/chats/${c.id}`} active={path === `/chats/${c.id}`} class="nav-link sidebar-chat">
            <span class="sidebar-chat-title">{c.title}</span>
            {c.unread > 0 && <span class="unread-badge" aria-label={plural('chat.unread', c.unread)}>{c.unread > 99 ? '99+' : c.unread}</span>}
          </Link>
        </li>
      ))}
    </ul>
  );
}
