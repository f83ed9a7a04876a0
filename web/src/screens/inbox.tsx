import { useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../api/client';
import { useChats, useSessions } from '../api/queries';
import type { Chat, Session } from '../api/types';
import { chatTitle, digitsOnly, formatChatTime, formatPhone } from '../lib/format';
import { Link, navigate, useTitle } from '../lib/router';
import { Dialog } from '../components/dialog';
import { ChatIcon, PhoneIcon, PlusIcon } from '../components/icons';
import { MessageTicks } from '../components/message-ticks';
import { SessionStatusBadge } from '../components/status-badge';
import { Button, EmptyState, ErrorNotice, Field, Skeleton } from '../components/ui';
import { Conversation } from './conversation';

const inboxPath = (sid: string, chat?: string) => `/inbox/${encodeURIComponent(sid)}${chat ? `/${encodeURIComponent(chat)}` : ''}`;

export function InboxScreen({ sessionId, chat }: { sessionId: string | null; chat: string | null }) {
  useTitle('Inbox');
  const sessions = useSessions();
  const list = useMemo(() => sessions.data ?? [], [sessions.data]);
  const session = list.find((s) => s.id === sessionId) ?? null;

  // No device chosen (or it was deleted): pick the first connected one.
  useEffect(() => {
    if (!sessions.isSuccess || list.length === 0) return;
    if (!sessionId || !list.some((s) => s.id === sessionId)) {
      const pick = list.find((s) => s.status === 'open') ?? list[0];
      navigate(inboxPath(pick.id), { replace: true });
    }
  }, [sessions.isSuccess, list, sessionId]);

  if (sessions.isPending) {
    return (
      <div className="p-6">
        <Skeleton className="h-10 w-64" />
      </div>
    );
  }
  if (sessions.isError) {
    return (
      <div className="p-6">
        <ErrorNotice title="Could not load devices" error={errorMessage(sessions.error)} onRetry={() => void sessions.refetch()} />
      </div>
    );
  }
  if (list.length === 0) {
    return (
      <div className="px-4 py-6 sm:px-6 lg:px-10">
        <EmptyState
          icon={<PhoneIcon />}
          title="No devices yet"
          action={
            <Link to="/devices" className="inline-flex h-10 items-center rounded-lg bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700">
              Add device
            </Link>
          }
        >
          Add a device first; its conversations show up here.
        </EmptyState>
      </div>
    );
  }
  if (!session) return null;

  return (
    <div className={`flex bg-white md:h-dvh ${chat ? 'h-[calc(100dvh-3.5rem)]' : 'h-[calc(100dvh-7.5rem)]'}`}>
      <aside className={`w-full flex-col border-zinc-200 md:flex md:border-r md:w-80 lg:w-96 ${chat ? 'hidden' : 'flex'}`} aria-label="Chats">
        <ChatList session={session} sessions={list} activeChat={chat} />
      </aside>
      <section className={`min-w-0 flex-1 flex-col bg-zinc-50 ${chat ? 'flex' : 'hidden md:flex'}`} aria-label="Conversation">
        {chat ? (
          <Conversation key={`${session.id}/${chat}`} session={session} chat={chat} backTo={inboxPath(session.id)} />
        ) : (
          <div className="m-auto max-w-xs p-6 text-center text-sm text-zinc-500">
            <ChatIcon className="mx-auto mb-3 size-8 text-zinc-300" />
            Choose a chat on the left, or start a new one.
          </div>
        )}
      </section>
    </div>
  );
}

function ChatList({ session, sessions, activeChat }: { session: Session; sessions: Session[]; activeChat: string | null }) {
  const chats = useChats(session.id);
  const [newChat, setNewChat] = useState(false);

  return (
    <>
      <div className="space-y-3 border-b border-zinc-200 p-3">
        <div className="flex items-center justify-between gap-2">
          <h1 className="text-lg font-semibold text-zinc-900">Inbox</h1>
          <Button size="sm" variant="secondary" onClick={() => setNewChat(true)}>
            <PlusIcon className="size-4" /> New chat
          </Button>
        </div>
        <div>
          <label htmlFor="inbox-device" className="sr-only">
            Device
          </label>
          <select
            id="inbox-device"
            value={session.id}
            onChange={(e) => navigate(inboxPath(e.target.value))}
            className="h-10 w-full rounded-lg border border-zinc-300 bg-white px-3 text-sm shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-500"
          >
            {sessions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name || 'Unnamed device'}
                {s.phone ? ` · ${formatPhone(s.phone)}` : ''}
                {s.status !== 'open' ? ' (not connected)' : ''}
              </option>
            ))}
          </select>
          {session.status !== 'open' && (
            <div className="mt-2 flex items-center gap-2 text-xs text-zinc-600">
              <SessionStatusBadge status={session.status} />
              <Link to="/devices" className="text-accent-700 underline">
                Manage devices
              </Link>
            </div>
          )}
        </div>
      </div>

      <div className="flex-1 overflow-y-auto">
        {chats.isPending ? (
          <div className="space-y-1 p-3" role="status" aria-label="Loading chats">
            {Array.from({ length: 5 }, (_, i) => (
              <div key={i} className="flex gap-3 p-2">
                <Skeleton className="size-10 rounded-full" />
                <div className="flex-1 space-y-2">
                  <Skeleton className="h-3.5 w-1/2" />
                  <Skeleton className="h-3 w-3/4" />
                </div>
              </div>
            ))}
          </div>
        ) : chats.isError ? (
          <div className="p-3">
            <ErrorNotice title="Could not load chats" error={errorMessage(chats.error)} onRetry={() => void chats.refetch()} />
          </div>
        ) : chats.data.length === 0 ? (
          <div className="p-6 text-center text-sm text-zinc-600">
            <p className="font-medium text-zinc-800">No conversations yet</p>
            <p className="mt-1">Messages sent to {session.phone ? formatPhone(session.phone) : 'this number'} appear here as they arrive.</p>
            <Button className="mt-4" size="sm" variant="primary" onClick={() => setNewChat(true)}>
              Start a chat
            </Button>
          </div>
        ) : (
          <ul aria-label="Chats">
            {chats.data.map((c) => (
              <li key={c.chat}>
                <ChatRow chat={c} href={inboxPath(session.id, c.chat)} active={c.chat === activeChat} />
              </li>
            ))}
          </ul>
        )}
      </div>

      <NewChatDialog open={newChat} onClose={() => setNewChat(false)} onStart={(jid) => navigate(inboxPath(session.id, jid))} />
    </>
  );
}

function initials(title: string): string {
  const words = title.replace(/[^\p{L}\p{N} ]/gu, '').trim().split(/\s+/);
  if (!words[0]) return '#';
  if (/^\d/.test(words[0])) return '#';
  return (words[0][0] + (words[1]?.[0] ?? '')).toUpperCase();
}

function ChatRow({ chat: c, href, active }: { chat: Chat; href: string; active: boolean }) {
  const title = chatTitle(c);
  const last = c.lastMessage;
  return (
    <Link
      to={href}
      aria-current={active ? 'true' : undefined}
      className={`flex items-center gap-3 border-b border-zinc-100 px-3 py-3 focus-visible:-outline-offset-2 ${active ? 'bg-accent-50' : 'hover:bg-zinc-50'}`}
    >
      <span className="flex size-10 shrink-0 items-center justify-center rounded-full bg-zinc-200 text-sm font-semibold text-zinc-600" aria-hidden="true">
        {initials(title)}
      </span>
      <span className="min-w-0 flex-1">
        <span className="flex items-baseline justify-between gap-2">
          <span className={`truncate text-sm ${c.unread ? 'font-semibold text-zinc-900' : 'font-medium text-zinc-800'}`}>{title}</span>
          <span className={`shrink-0 text-xs ${c.unread ? 'font-medium text-accent-700' : 'text-zinc-500'}`}>{formatChatTime(last?.timestamp ?? c.updatedAt)}</span>
        </span>
        <span className="mt-0.5 flex items-center gap-1.5">
          {last?.direction === 'out' && <MessageTicks status={last.status} error={last.error} />}
          <span className="truncate text-sm text-zinc-600">{last ? last.text : 'No messages yet'}</span>
          {c.unread > 0 && (
            <span className="ml-auto flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-accent-600 px-1.5 text-xs font-semibold text-white" aria-label={`${c.unread} unread`}>
              {c.unread}
            </span>
          )}
        </span>
      </span>
    </Link>
  );
}

function NewChatDialog({ open, onClose, onStart }: { open: boolean; onClose(): void; onStart(jid: string): void }) {
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    const digits = digitsOnly(phone);
    if (!/^\d{7,15}$/.test(digits)) return setError('Enter the phone number as 7 to 15 digits, country code first.');
    setPhone('');
    setError(null);
    onClose();
    onStart(`${digits}@s.whatsapp.net`);
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="New chat"
      size="sm"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="new-chat-form">
            Open chat
          </Button>
        </>
      }
    >
      <form
        id="new-chat-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field
          label="Phone number"
          inputMode="tel"
          placeholder="6281234567890"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          error={error}
          hint="Country code first, digits only."
          data-autofocus
        />
      </form>
    </Dialog>
  );
}
