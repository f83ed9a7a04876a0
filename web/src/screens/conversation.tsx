import { type KeyboardEvent, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { keys, useChats, useMessages } from '../api/queries';
import type { Chat, Message, Session } from '../api/types';
import { useApi } from '../lib/auth';
import { chatTitle, formatPhone, formatTime, jidPhone } from '../lib/format';
import { usePageVisible } from '../lib/use-page-visible';
import { Link } from '../lib/router';
import { BackIcon, SendIcon } from '../components/icons';
import { MessageTicks } from '../components/message-ticks';
import { sessionStatusLabel } from '../components/status-badge';
import { ErrorNotice, Skeleton, Spinner } from '../components/ui';
import { useToast } from '../components/toast';

let tempSeq = 0;

export function Conversation({ session, chat, backTo }: { session: Session; chat: string; backTo: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const messages = useMessages(session.id, chat);
  const chats = useChats(session.id);
  const info: Chat | undefined = chats.data?.find((c) => c.chat === chat);
  const title = info ? chatTitle(info) : formatPhone(jidPhone(chat)) || chat;
  const phone = info?.phone ?? jidPhone(chat);
  const unread = info?.unread ?? 0;

  // Opening the chat (and new messages arriving while it is open and visible) marks it read.
  const markRead = useRef<Promise<unknown> | null>(null);
  const triedOnce = useRef(false);
  const visible = usePageVisible();
  useEffect(() => {
    if (markRead.current || !visible) return;
    if (info ? unread === 0 : triedOnce.current) return;
    triedOnce.current = true;
    markRead.current = api.chats
      .markRead(session.id, chat)
      .then(() => qc.setQueryData<Chat[]>(keys.chats(session.id), (list) => list?.map((c) => (c.chat === chat ? { ...c, unread: 0 } : c))))
      .catch(() => {})
      .finally(() => {
        markRead.current = null;
      });
  }, [api, qc, session.id, chat, unread, info, visible]);

  // Messages typed here that the gateway has not accepted yet (or refused), shown until it answers —
  // or until its stored copy shows up first (a live event can beat the answer).
  const [outbox, setOutbox] = useState<Outgoing[]>([]);
  const ordered = useMemo(() => {
    const stored = messages.data ?? [];
    const waiting = outbox.filter((o) => !stored.some((m) => m.direction === 'out' && m.text === o.message.text && !o.before.includes(m.id)));
    return chronological([...waiting.map((o) => o.message), ...stored]);
  }, [outbox, messages.data]);

  // Keep the newest message in view when it arrives, unless the person scrolled up to read.
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [ordered.length, messages.isSuccess]);

  return (
    <>
      <header className="flex h-16 shrink-0 items-center gap-3 border-b border-zinc-200 bg-white px-3 sm:px-4">
        <Link to={backTo} aria-label="Back to chats" className="-ml-1 rounded-md p-1.5 text-zinc-600 hover:bg-zinc-100 md:hidden">
          <BackIcon />
        </Link>
        <div className="min-w-0">
          <h2 className="truncate font-semibold text-zinc-900">{title}</h2>
          {phone && title !== formatPhone(phone) && <p className="truncate font-mono text-xs text-zinc-500">{formatPhone(phone)}</p>}
        </div>
      </header>

      <div
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
        className="flex-1 overflow-y-auto px-3 py-4 sm:px-6"
      >
        {messages.isPending ? (
          <div className="space-y-3" role="status" aria-label="Loading messages">
            <Skeleton className="h-10 w-2/3 rounded-2xl" />
            <Skeleton className="ml-auto h-10 w-1/2 rounded-2xl" />
            <Skeleton className="h-14 w-3/5 rounded-2xl" />
          </div>
        ) : messages.isError ? (
          <ErrorNotice title="Could not load messages" error={errorMessage(messages.error)} onRetry={() => void messages.refetch()} />
        ) : ordered.length === 0 ? (
          <p className="mt-10 text-center text-sm text-zinc-500">No messages yet. Say hello below.</p>
        ) : (
          <ol className="mx-auto max-w-3xl space-y-1.5" aria-label={`Messages with ${title}`} aria-live="polite" aria-relevant="additions">
            {ordered.map((m, i) => (
              <MessageBubble key={m.id} message={m} dayBreak={dayOf(m) !== dayOf(ordered[i - 1])} />
            ))}
          </ol>
        )}
      </div>

      <Composer session={session} chat={chat} onOutbox={setOutbox} onSent={() => (pinned.current = true)} />
    </>
  );
}

/**
 * Oldest first. WhatsApp stamps received messages to the second while sent ones carry
 * milliseconds, so within one second the gateway's own receive time (createdAt) decides.
 */
function chronological(newestFirst: Message[]): Message[] {
  const key = (m: Message) => {
    const t = Date.parse(m.timestamp);
    return [Math.floor(t / 1000), Date.parse(m.createdAt ?? m.timestamp) || t] as const;
  };
  return [...newestFirst].reverse().sort((a, b) => {
    const [as, ac] = key(a);
    const [bs, bc] = key(b);
    return as - bs || ac - bc;
  });
}

const dayOf = (m: Message | undefined) => (m ? new Date(m.timestamp).toDateString() : '');

function MessageBubble({ message: m, dayBreak }: { message: Message; dayBreak: boolean }) {
  const out = m.direction === 'out';
  return (
    <li>
      {dayBreak && (
        <div className="my-3 flex justify-center">
          <span className="rounded-full bg-white px-3 py-0.5 text-xs text-zinc-500 shadow-xs ring-1 ring-zinc-200">
            {new Date(m.timestamp).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })}
          </span>
        </div>
      )}
      <div className={`flex ${out ? 'justify-end' : 'justify-start'}`}>
        <div
          className={`max-w-[85%] rounded-2xl px-3 py-1.5 text-sm shadow-xs sm:max-w-[70%] ${out ? 'rounded-br-md bg-accent-100 text-zinc-900' : 'rounded-bl-md bg-white text-zinc-900 ring-1 ring-zinc-200'} ${m.status === 'failed' ? 'ring-1 ring-red-300' : ''}`}
          data-direction={m.direction}
          data-message-id={m.id}
        >
          <span className="sr-only">{out ? 'You: ' : `${m.pushName || 'Them'}: `}</span>
          <p className="break-words whitespace-pre-wrap">{m.text}</p>
          <p className="mt-0.5 flex items-center justify-end gap-1 text-[11px] text-zinc-500">
            <time dateTime={m.timestamp}>{formatTime(m.timestamp)}</time>
            {out && <MessageTicks status={m.status} error={m.error} />}
          </p>
          {m.status === 'failed' && m.error && <p className="mt-0.5 text-xs text-red-700">{m.error}</p>}
        </div>
      </div>
    </li>
  );
}

/** A message being sent from this tab, and the stored messages with the same text when it was typed. */
interface Outgoing {
  message: Message;
  before: string[];
}
type OutboxUpdate = (update: (outbox: Outgoing[]) => Outgoing[]) => void;

function Composer({ session, chat, onOutbox, onSent }: { session: Session; chat: string; onOutbox: OutboxUpdate; onSent(): void }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const connected = session.status === 'open';

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  const send = async () => {
    const body = text.trim();
    if (!body || sending || !connected) return;
    const key = keys.messages(session.id, chat);
    const tempId = `tmp_${++tempSeq}`;
    const now = new Date().toISOString();
    const optimistic: Message = {
      id: tempId,
      sessionId: session.id,
      chat,
      direction: 'out',
      from: session.jid ?? '',
      to: chat,
      text: body,
      status: 'pending',
      timestamp: now,
    };
    const before = (qc.getQueryData<Message[]>(key) ?? []).filter((m) => m.text === body).map((m) => m.id);
    onOutbox((o) => [{ message: optimistic, before }, ...o]);
    setText('');
    setSending(true);
    onSent();
    try {
      const res = await api.messages.send(session.id, chat, body);
      // Unless a live event or a refetch brought the stored message first (as new as this answer, or newer).
      const stored: Message = { ...optimistic, id: res.id, waId: res.waId, status: res.status };
      qc.setQueryData<Message[]>(key, (list) => (list?.some((m) => m.id === res.id) ? list : [stored, ...(list ?? [])]));
      onOutbox((o) => o.filter((x) => x.message.id !== tempId));
    } catch (err) {
      const reason = errorMessage(err);
      onOutbox((o) => o.map((x) => (x.message.id === tempId ? { ...x, message: { ...x.message, status: 'failed', error: reason } } : x)));
      toast(reason, 'error');
    } finally {
      setSending(false);
      void qc.invalidateQueries({ queryKey: keys.chats(session.id) });
      void qc.invalidateQueries({ queryKey: key });
      box.current?.focus();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  return (
    <form
      className="shrink-0 border-t border-zinc-200 bg-white p-3"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {!connected && (
        <p className="mb-2 text-xs text-amber-800" role="status">
          This device is {sessionStatusLabel(session.status).toLowerCase()}, so messages can&rsquo;t be sent right now.
        </p>
      )}
      <div className="mx-auto flex max-w-3xl items-end gap-2">
        <label htmlFor="composer" className="sr-only">
          Message
        </label>
        <textarea
          id="composer"
          ref={box}
          rows={1}
          value={text}
          maxLength={65536}
          disabled={!connected}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={connected ? 'Type a message' : 'Not connected'}
          aria-describedby="composer-hint"
          className="max-h-40 min-h-10 flex-1 resize-none rounded-xl border border-zinc-300 bg-white px-3 py-2 text-sm leading-5 shadow-xs placeholder:text-zinc-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-500 disabled:bg-zinc-100"
        />
        <button
          type="submit"
          disabled={!connected || !text.trim() || sending}
          aria-label="Send"
          className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-accent-600 text-white shadow-sm hover:bg-accent-700 disabled:bg-zinc-300"
        >
          {sending ? <Spinner className="size-4" /> : <SendIcon className="size-5" />}
        </button>
      </div>
      <p id="composer-hint" className="mx-auto mt-1 hidden max-w-3xl text-[11px] text-zinc-400 sm:block">
        Enter to send · Shift+Enter for a new line
      </p>
    </form>
  );
}
