import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { keys, useSessions } from '../api/queries';
import type { Session } from '../api/types';
import { useApi } from '../lib/auth';
import { asSentence, formatPhone, relativeTime } from '../lib/format';
import { Link, useTitle } from '../lib/router';
import { useNow } from '../lib/use-now';
import { ConfirmDialog, Dialog } from '../components/dialog';
import { AlertIcon, PhoneIcon, PlusIcon, QrIcon } from '../components/icons';
import { SessionStatusBadge } from '../components/status-badge';
import { Button, Card, EmptyState, ErrorNotice, Field, PageHeader, SkeletonRows } from '../components/ui';
import { useToast } from '../components/toast';
import { LinkDeviceDialog } from './link-device-dialog';

type Pending = { kind: 'stop' | 'logout' | 'delete'; session: Session } | null;

export function DevicesScreen() {
  useTitle('Devices');
  const sessions = useSessions();
  const [linking, setLinking] = useState<{ open: boolean; sessionId: string | null }>({ open: false, sessionId: null });
  const [pending, setPending] = useState<Pending>(null);
  const [renaming, setRenaming] = useState<Session | null>(null);
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  useNow(15_000);

  const replace = (s: Session) => qc.setQueryData<Session[]>(keys.sessions, (list) => list?.map((x) => (x.id === s.id ? s : x)));
  const start = async (s: Session) => {
    try {
      replace(await api.sessions.start(s.id));
      toast(`Starting ${s.name || 'device'}`);
      if (s.status === 'logged_out' || !s.phone) setLinking({ open: true, sessionId: s.id });
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };

  const list = sessions.data ?? [];
  const addButton = (
    <Button variant="primary" onClick={() => setLinking({ open: true, sessionId: null })}>
      <PlusIcon className="size-4" /> Add device
    </Button>
  );

  return (
    <>
      <PageHeader title="Devices" description="Each device is a WhatsApp number linked to kirim. It stays connected until you log it out." actions={list.length > 0 && addButton} />

      {sessions.isPending ? (
        <SkeletonRows rows={3} label="Loading devices" />
      ) : sessions.isError ? (
        <ErrorNotice title="Could not load devices" error={errorMessage(sessions.error)} onRetry={() => void sessions.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<PhoneIcon />} title="No devices yet" action={addButton}>
          Add a device, then scan its QR code with WhatsApp on your phone. It takes a minute.
        </EmptyState>
      ) : (
        <Card>
          <ul className="divide-y divide-zinc-100" aria-label="Devices">
            {list.map((s) => (
              <DeviceRow
                key={s.id}
                session={s}
                onShowQr={() => setLinking({ open: true, sessionId: s.id })}
                onStart={() => void start(s)}
                onStop={() => setPending({ kind: 'stop', session: s })}
                onLogout={() => setPending({ kind: 'logout', session: s })}
                onDelete={() => setPending({ kind: 'delete', session: s })}
                onRename={() => setRenaming(s)}
              />
            ))}
          </ul>
        </Card>
      )}

      <LinkDeviceDialog open={linking.open} sessionId={linking.sessionId} onClose={() => setLinking({ open: false, sessionId: null })} />

      <ConfirmDialog
        open={pending?.kind === 'stop'}
        onClose={() => setPending(null)}
        title={`Stop ${pending?.session.name || 'this device'}?`}
        confirmLabel="Stop"
        onConfirm={async () => {
          replace(await api.sessions.stop(pending!.session.id));
          toast('Device stopped');
        }}
      >
        <p>It stays linked to the phone, but kirim disconnects it and won&rsquo;t send or receive messages until you start it again.</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={pending?.kind === 'logout'}
        onClose={() => setPending(null)}
        title={`Log out ${pending?.session.name || 'this device'}?`}
        confirmLabel="Log out"
        danger
        onConfirm={async () => {
          replace(await api.sessions.logout(pending!.session.id));
          toast('Device logged out');
        }}
      >
        <p>The number is unlinked from the phone. To use it again you will need to scan a new QR code.</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={pending?.kind === 'delete'}
        onClose={() => setPending(null)}
        title={`Delete ${pending?.session.name || 'this device'}?`}
        confirmLabel="Delete device"
        danger
        onConfirm={async () => {
          const id = pending!.session.id;
          await api.sessions.remove(id);
          qc.setQueryData<Session[]>(keys.sessions, (l) => l?.filter((x) => x.id !== id));
          toast('Device deleted');
        }}
      >
        <p>
          This logs the number out and deletes its stored state. Message history in kirim is deleted too. This can&rsquo;t be undone.
        </p>
      </ConfirmDialog>

      <RenameDialog session={renaming} onClose={() => setRenaming(null)} onRenamed={replace} />
    </>
  );
}

function DeviceRow({
  session: s,
  onShowQr,
  onStart,
  onStop,
  onLogout,
  onDelete,
  onRename,
}: {
  session: Session;
  onShowQr(): void;
  onStart(): void;
  onStop(): void;
  onLogout(): void;
  onDelete(): void;
  onRename(): void;
}) {
  const running = s.status !== 'stopped' && s.status !== 'logged_out' && s.status !== 'failed';
  const waiting = s.status === 'qr' || s.status === 'pairing';
  const showError = s.lastError && s.status !== 'open';
  return (
    <li className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" aria-label={s.name || s.id}>
      <div className="flex min-w-0 flex-1 items-start gap-3">
        <div className={`flex size-10 shrink-0 items-center justify-center rounded-full ${s.status === 'open' ? 'bg-accent-50 text-accent-700' : 'bg-zinc-100 text-zinc-500'}`}>
          <PhoneIcon />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span className="truncate font-medium text-zinc-900">{s.name || 'Unnamed device'}</span>
            <SessionStatusBadge status={s.status} />
          </div>
          <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 text-sm text-zinc-600">
            <div className="flex gap-1">
              <dt className="sr-only">Phone</dt>
              <dd className={s.phone ? 'font-mono text-zinc-800' : 'text-zinc-500'}>{s.phone ? formatPhone(s.phone) : 'Not linked yet'}</dd>
            </div>
            {s.node && (
              <div className="flex gap-1">
                <dt className="text-zinc-500">Node</dt>
                <dd className="truncate font-mono">{s.node}</dd>
              </div>
            )}
            <div className="flex gap-1">
              <dt className="text-zinc-500">Updated</dt>
              <dd>
                <time dateTime={s.updatedAt} title={new Date(s.updatedAt).toLocaleString()}>
                  {relativeTime(s.updatedAt)}
                </time>
              </dd>
            </div>
          </dl>
          {showError && (
            <p className="mt-1.5 flex items-start gap-1.5 text-sm text-red-700">
              <AlertIcon className="mt-0.5 size-4 shrink-0" />
              <span>
                <span className="sr-only">Last error: </span>
                {asSentence(s.lastError!)}
              </span>
            </p>
          )}
        </div>
      </div>
      <div className="-mx-2 flex flex-wrap items-center gap-1 sm:mx-0 sm:justify-end sm:gap-1.5 [&_a]:px-2 [&_button]:px-2 sm:[&_a]:px-2.5 sm:[&_button]:px-2.5">
        {waiting && (
          <Button size="sm" variant="primary" onClick={onShowQr}>
            <QrIcon className="size-4" /> Show QR
          </Button>
        )}
        {s.status === 'open' && (
          <Link to={`/inbox/${encodeURIComponent(s.id)}`} className="inline-flex h-8 items-center rounded-lg px-2.5 text-sm font-medium text-accent-700 hover:bg-accent-50">
            Inbox
          </Link>
        )}
        <Button size="sm" variant="ghost" onClick={onRename} aria-label={`Rename ${s.name || 'device'}`}>
          Rename
        </Button>
        {running ? (
          <Button size="sm" variant="ghost" onClick={onStop} aria-label={`Stop ${s.name || 'device'}`}>
            Stop
          </Button>
        ) : s.status === 'logged_out' ? (
          <Button size="sm" variant="primary" onClick={onStart} aria-label={`Link ${s.name || 'device'} again`}>
            <QrIcon className="size-4" /> Link again
          </Button>
        ) : (
          <Button size="sm" variant="ghost" onClick={onStart} aria-label={`Start ${s.name || 'device'}`}>
            Start
          </Button>
        )}
        {s.status !== 'logged_out' && s.phone && (
          <Button size="sm" variant="ghost" onClick={onLogout} aria-label={`Log out ${s.name || 'device'}`}>
            Log out
          </Button>
        )}
        <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={onDelete} aria-label={`Delete ${s.name || 'device'}`}>
          Delete
        </Button>
      </div>
    </li>
  );
}

function RenameDialog({ session, onClose, onRenamed }: { session: Session | null; onClose(): void; onRenamed(s: Session): void }) {
  const api = useApi();
  const toast = useToast();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [forId, setForId] = useState<string | null>(null);
  if (session && forId !== session.id) {
    setForId(session.id);
    setName(session.name);
    setError(null);
  }
  const save = async () => {
    if (!session) return;
    if (!name.trim()) return setError('Enter a name.');
    setBusy(true);
    try {
      onRenamed(await api.sessions.rename(session.id, name.trim()));
      toast('Device renamed');
      setForId(null);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setForId(null);
    onClose();
  };
  return (
    <Dialog
      open={!!session}
      onClose={close}
      title="Rename device"
      size="sm"
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" busy={busy} type="submit" form="rename-form">
            Save
          </Button>
        </>
      }
    >
      <form
        id="rename-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label="Name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} error={error} data-autofocus />
      </form>
    </Dialog>
  );
}
