import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { keys, useQr, useSandbox, useSessions } from '../api/queries';
import type { Session } from '../api/types';
import { useApi } from '../lib/auth';
import { digitsOnly, formatPhone, formatTime } from '../lib/format';
import { Link, useTitle } from '../lib/router';
import { FlaskIcon, RefreshIcon } from '../components/icons';
import { SandboxScan } from '../components/sandbox-scan';
import { Button, Card, EmptyState, ErrorNotice, Field, PageHeader, Skeleton, Spinner } from '../components/ui';
import { useToast } from '../components/toast';

export function SandboxScreen() {
  useTitle('Sandbox');
  const sandbox = useSandbox();
  if (sandbox.isPending) return <Skeleton className="h-40 w-full" />;
  if (!sandbox.data?.enabled) {
    return (
      <EmptyState icon={<FlaskIcon />} title="The sandbox is off">
        Start the gateway with <code className="font-mono">npm run sandbox</code> (or <code className="font-mono">KIRIM_SANDBOX=1</code>) to demo kirim with simulated phones.
      </EmptyState>
    );
  }
  return (
    <>
      <PageHeader
        title="Sandbox"
        description={
          <>
            A simulated WhatsApp network{sandbox.data.url ? <> at <span className="font-mono">{sandbox.data.url}</span></> : null}: link devices, and send and read messages as simulated contacts. No phone needed.
          </>
        }
      />
      <Stats />
      <div className="mt-6 grid items-start gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <WaitingDevices />
          <SendAsContact />
        </div>
        <div className="space-y-6">
          <ContactInbox />
          <Accounts />
        </div>
      </div>
    </>
  );
}

function Section({ title, description, children, actions }: { title: string; description?: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Card className="p-5">
      <div className="mb-4 flex items-start justify-between gap-3">
        <div>
          <h2 className="font-semibold text-zinc-900">{title}</h2>
          {description && <p className="mt-0.5 text-sm text-zinc-600">{description}</p>}
        </div>
        {actions}
      </div>
      {children}
    </Card>
  );
}

function WaitingDevices() {
  const sessions = useSessions();
  const waiting = (sessions.data ?? []).filter((s) => s.status === 'qr');
  return (
    <Section title="Link a device" description="A simulated phone scans the QR code of a device that is waiting.">
      {sessions.isPending ? (
        <Skeleton className="h-16 w-full" />
      ) : waiting.length === 0 ? (
        <p className="text-sm text-zinc-600">
          No device is showing a QR code.{' '}
          <Link to="/devices" className="font-medium text-accent-700 underline">
            Add a device
          </Link>{' '}
          first.
        </p>
      ) : (
        <ul className="space-y-3">
          {waiting.map((s) => (
            <WaitingDevice key={s.id} session={s} />
          ))}
        </ul>
      )}
    </Section>
  );
}

function WaitingDevice({ session }: { session: Session }) {
  const qr = useQr(session.id, true);
  return (
    <li className="space-y-2">
      <p className="text-sm font-medium text-zinc-900">{session.name || 'Unnamed device'}</p>
      <SandboxScan qr={qr.data?.qr ?? null} compact />
    </li>
  );
}

function SendAsContact() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const sessions = useSessions();
  const accounts = (sessions.data ?? []).filter((s) => s.phone);
  const [from, setFrom] = useState('15550001111');
  const [to, setTo] = useState('');
  const [text, setText] = useState('Hi! Is this still available?');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!to && accounts.length) setTo(accounts.find((s) => s.status === 'open')?.phone ?? accounts[0].phone!);
  }, [to, accounts]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!/^\d{7,15}$/.test(digitsOnly(from))) return setError('The contact’s number must be 7 to 15 digits.');
    if (!to) return setError('Choose the device that receives the message.');
    if (!text.trim()) return setError('Type a message.');
    setBusy(true);
    try {
      await api.sandbox.sendAsContact(digitsOnly(from), to, text);
      toast(`Sent as ${formatPhone(digitsOnly(from))}`);
      setText('');
      void qc.invalidateQueries({ queryKey: keys.simStats });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Send a message as a contact" description="A simulated contact texts one of your devices; it shows up in the Inbox.">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <Field label="From (contact's number)" inputMode="tel" value={from} onChange={(e) => setFrom(e.target.value)} />
        <div>
          <label htmlFor="sim-to" className="block text-sm font-medium text-zinc-800">
            To (your device)
          </label>
          <select
            id="sim-to"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            disabled={accounts.length === 0}
            className="mt-1 h-10 w-full rounded-lg border border-zinc-300 bg-white px-3 text-sm shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-500 disabled:bg-zinc-100"
          >
            {accounts.length === 0 && <option value="">No linked device yet</option>}
            {accounts.map((s) => (
              <option key={s.id} value={s.phone!}>
                {s.name || 'Unnamed device'} · {formatPhone(s.phone)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="sim-text" className="block text-sm font-medium text-zinc-800">
            Message
          </label>
          <textarea
            id="sim-text"
            rows={2}
            value={text}
            onChange={(e) => setText(e.target.value)}
            className="mt-1 block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-500"
          />
        </div>
        {error && <ErrorNotice error={error} />}
        <div className="flex justify-end">
          <Button type="submit" variant="primary" busy={busy} disabled={accounts.length === 0}>
            Send as contact
          </Button>
        </div>
      </form>
    </Section>
  );
}

function ContactInbox() {
  const api = useApi();
  const [input, setInput] = useState('15550001111');
  const [phone, setPhone] = useState<string | null>(null);
  const inbox = useQuery({
    queryKey: keys.simInbox(phone ?? ''),
    queryFn: () => api.sandbox.inbox(phone!),
    enabled: !!phone,
    refetchInterval: 3_000,
  });
  const messages = [...(inbox.data ?? [])].sort((a, b) => new Date(b.timestamp).getTime() - new Date(a.timestamp).getTime());

  return (
    <Section
      title="A contact's inbox"
      description="What a simulated contact received from your devices."
      actions={
        phone && (
          <Button size="sm" variant="ghost" onClick={() => void inbox.refetch()} aria-label="Refresh the contact's inbox">
            {inbox.isFetching ? <Spinner className="size-4" /> : <RefreshIcon className="size-4" />}
          </Button>
        )
      }
    >
      <form
        className="flex items-end gap-2"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setPhone(digitsOnly(input) || null);
        }}
      >
        <Field className="flex-1" label="Contact's number" inputMode="tel" value={input} onChange={(e) => setInput(e.target.value)} />
        <Button type="submit">Show inbox</Button>
      </form>
      <div className="mt-4">
        {!phone ? null : inbox.isPending ? (
          <Skeleton className="h-16 w-full" />
        ) : inbox.isError ? (
          <ErrorNotice error={errorMessage(inbox.error)} />
        ) : messages.length === 0 ? (
          <p className="text-sm text-zinc-600">{formatPhone(phone)} hasn&rsquo;t received anything yet.</p>
        ) : (
          <ul className="max-h-72 space-y-2 overflow-y-auto" aria-label={`Inbox of ${formatPhone(phone)}`}>
            {messages.map((m) => (
              <li key={m.id} className="rounded-lg bg-zinc-50 px-3 py-2 text-sm ring-1 ring-zinc-200">
                <p className="flex justify-between gap-2 text-xs text-zinc-500">
                  <span className="font-mono">from {formatPhone(m.from.split(/[@:]/)[0])}</span>
                  <span>{formatTime(typeof m.timestamp === 'number' ? new Date(m.timestamp * (m.timestamp < 1e12 ? 1000 : 1)).toISOString() : m.timestamp)}</span>
                </p>
                <p className="mt-0.5 break-words whitespace-pre-wrap text-zinc-900">{m.text}</p>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Section>
  );
}

function Stats() {
  const api = useApi();
  const stats = useQuery({ queryKey: keys.simStats, queryFn: api.sandbox.stats, refetchInterval: 5_000 });
  const items = [
    ['Open connections', stats.data?.connections, 'Devices connected to the simulator right now.'],
    ['Handshakes', stats.data?.handshakes, 'Times a device logged in over the encrypted WhatsApp protocol.'],
    ['Messages routed', stats.data?.messages, 'Messages the simulator carried between phones and devices.'],
    ['Conflicts', stats.data?.conflicts, 'Times one device was connected twice at once; should stay 0.'],
  ] as const;
  if (stats.isError) return <ErrorNotice title="Could not read the simulator's stats" error={errorMessage(stats.error)} />;
  return (
    <section aria-label="Simulator stats">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {items.map(([label, value, meaning]) => (
          <div key={label} className="rounded-xl border border-zinc-200 bg-white px-4 py-3 shadow-xs">
            <dt className="text-xs font-medium text-zinc-500">{label}</dt>
            <dd className="mt-1 text-2xl font-semibold text-zinc-900 tabular-nums">{value ?? <Skeleton className="h-7 w-10" />}</dd>
            <dd className="mt-1 text-xs text-zinc-500">{meaning}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Accounts() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const accounts = useQuery({ queryKey: keys.simAccounts, queryFn: api.sandbox.accounts, refetchInterval: 10_000 });
  const [busy, setBusy] = useState<string | null>(null);
  const logout = async (phone: string) => {
    setBusy(phone);
    try {
      const res = await api.sandbox.logoutAccount(phone);
      toast(`${formatPhone(phone)} logged out ${res.removedDevices} device${res.removedDevices === 1 ? '' : 's'}`);
      void qc.invalidateQueries({ queryKey: keys.simAccounts });
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section
      title="Simulated phones"
      description="Accounts on the simulated network that linked one of your devices. Log one out to see what happens when a phone removes its linked devices."
    >
      {accounts.isPending ? (
        <Skeleton className="h-12 w-full" />
      ) : accounts.isError ? (
        <ErrorNotice error={errorMessage(accounts.error)} />
      ) : accounts.data.length === 0 ? (
        <p className="text-sm text-zinc-600">None yet: scan a QR code with a simulated phone.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 text-sm">
          {accounts.data.map((a) => (
            <li key={a.phone} className="flex items-center justify-between gap-2 py-2">
              <span>
                <span className="font-mono text-zinc-900">{formatPhone(a.phone)}</span>
                {a.pushName && <span className="ml-2 text-zinc-600">{a.pushName}</span>}
              </span>
              <span className="flex items-center gap-2">
                <span className="text-xs text-zinc-500">
                  {a.onlineDevices ?? 0} device{a.onlineDevices === 1 ? '' : 's'} online
                </span>
                <Button size="sm" variant="ghost" busy={busy === a.phone} onClick={() => void logout(a.phone)} aria-label={`Log out the devices linked to ${formatPhone(a.phone)}`}>
                  Log out devices
                </Button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
