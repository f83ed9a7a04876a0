import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../api/client';
import { keys, useQr, useSandbox, useSessions } from '../api/queries';
import type { Session } from '../api/types';
import { useApi } from '../lib/auth';
import { asSentence, digitsOnly, formatPhone, groupPairingCode } from '../lib/format';
import { Link } from '../lib/router';
import { useNow } from '../lib/use-now';
import { Dialog } from '../components/dialog';
import { CheckIcon } from '../components/icons';
import { QrCode } from '../components/qr-code';
import { SandboxScan } from '../components/sandbox-scan';
import { Button, ErrorNotice, Field, Spinner } from '../components/ui';
import { useToast } from '../components/toast';

type Method = 'qr' | 'code';

export interface LinkDeviceDialogProps {
  open: boolean;
  onClose(): void;
  /** Show the QR of an existing session instead of creating one. */
  sessionId?: string | null;
}

/**
 * "Add device": name it, then link it by scanning a live QR (it rotates via session.qr events)
 * or by typing an 8-character pairing code on the phone. Says "Connected" once the status is open.
 * For a device that exists already (waiting for a scan, or logged out) it is "Link <name>".
 */
export function LinkDeviceDialog({ open, onClose, sessionId: existing = null }: LinkDeviceDialogProps) {
  const sessions = useSessions();
  const existingName = existing ? sessions.data?.find((s) => s.id === existing)?.name : undefined;
  const [sessionId, setSessionId] = useState<string | null>(existing);
  const [method, setMethod] = useState<Method>('qr');
  const [phone, setPhone] = useState('');

  useEffect(() => {
    if (open) {
      setSessionId(existing);
      setMethod('qr');
      setPhone('');
    }
  }, [open, existing]);

  return (
    <Dialog open={open} onClose={onClose} title={existing ? `Link ${existingName || 'device'}` : 'Add device'} size="md">
      {sessionId ? (
        <LinkStep sessionId={sessionId} method={method} phone={phone} onMethod={setMethod} onPhone={setPhone} onClose={onClose} />
      ) : (
        <CreateStep
          method={method}
          phone={phone}
          onMethod={setMethod}
          onPhone={setPhone}
          onCreated={(s) => setSessionId(s.id)}
          onCancel={onClose}
        />
      )}
    </Dialog>
  );
}

function MethodPicker({ method, onMethod }: { method: Method; onMethod(m: Method): void }) {
  const opt = (m: Method, title: string, text: string) => (
    <label
      className={`flex cursor-pointer gap-3 rounded-xl border p-3 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-accent-500 ${method === m ? 'border-accent-500 bg-accent-50/60' : 'border-zinc-200 hover:border-zinc-300'}`}
    >
      <input type="radio" name="link-method" className="mt-0.5 accent-accent-600" checked={method === m} onChange={() => onMethod(m)} />
      <span>
        <span className="block font-medium text-zinc-900">{title}</span>
        <span className="block text-zinc-600">{text}</span>
      </span>
    </label>
  );
  return (
    <fieldset className="space-y-2">
      <legend className="mb-2 text-sm font-medium text-zinc-800">How do you want to link it?</legend>
      {opt('qr', 'Scan a QR code', 'Point your phone’s camera at the screen.')}
      {opt('code', 'Use a pairing code', 'Type an 8-character code on your phone instead.')}
    </fieldset>
  );
}

function CreateStep(props: {
  method: Method;
  phone: string;
  onMethod(m: Method): void;
  onPhone(p: string): void;
  onCreated(s: Session): void;
  onCancel(): void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const phoneOk = /^\d{7,15}$/.test(digitsOnly(props.phone));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (props.method === 'code' && !phoneOk) return setError('Enter the phone number as 7 to 15 digits, country code first.');
    setBusy(true);
    setError(null);
    try {
      const s = await api.sessions.create(name.trim() || undefined);
      qc.setQueryData<Session[]>(keys.sessions, (list) => (list ? [...list.filter((x) => x.id !== s.id), s] : [s]));
      void qc.invalidateQueries({ queryKey: keys.sessions });
      props.onCreated(s);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      <Field label="Name" placeholder="e.g. Sales line" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} hint="So you can tell your numbers apart. Optional." data-autofocus />
      <MethodPicker method={props.method} onMethod={props.onMethod} />
      {props.method === 'code' && (
        <Field
          label="Phone number"
          inputMode="tel"
          placeholder="6281234567890"
          value={props.phone}
          onChange={(e) => props.onPhone(e.target.value)}
          hint="Country code first, digits only."
        />
      )}
      {error && <ErrorNotice error={error} />}
      <div className="flex justify-end gap-2">
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>
          Continue
        </Button>
      </div>
    </form>
  );
}

function LinkStep({
  sessionId,
  method,
  phone,
  onMethod,
  onPhone,
  onClose,
}: {
  sessionId: string;
  method: Method;
  phone: string;
  onMethod(m: Method): void;
  onPhone(p: string): void;
  onClose(): void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const sessions = useSessions();
  const session = sessions.data?.find((s) => s.id === sessionId);
  const status = session?.status ?? 'starting';

  if (sessions.isSuccess && !session) {
    return <ErrorNotice error="This device was deleted." />;
  }

  if (status === 'open') {
    return (
      <div className="flex flex-col items-center py-4 text-center" role="status">
        <div className="flex size-16 items-center justify-center rounded-full bg-accent-100 text-accent-700">
          <CheckIcon className="size-9" strokeWidth={2.5} />
        </div>
        <h3 className="mt-4 text-lg font-semibold text-zinc-900">Connected</h3>
        <p className="mt-1 text-sm text-zinc-600">
          {session?.name ? <strong className="font-medium text-zinc-800">{session.name}</strong> : 'Your number'} is linked
          {session?.phone ? ` as ${formatPhone(session.phone)}` : ''}. It stays connected, even after restarts.
        </p>
        <div className="mt-6 flex gap-2">
          <Link to={`/inbox/${encodeURIComponent(sessionId)}`} onClick={onClose} className="inline-flex h-10 items-center rounded-lg px-4 text-sm font-medium text-accent-700 hover:bg-accent-50">
            Open inbox
          </Link>
          <Button variant="primary" onClick={onClose} data-autofocus>
            Done
          </Button>
        </div>
      </div>
    );
  }

  if (status === 'failed' || status === 'logged_out' || status === 'stopped') {
    const restart = async () => {
      try {
        const s = await api.sessions.start(sessionId);
        qc.setQueryData<Session[]>(keys.sessions, (list) => list?.map((x) => (x.id === s.id ? s : x)));
      } catch (err) {
        qc.setQueryData<Session[]>(keys.sessions, (list) => list?.map((x) => (x.id === sessionId ? { ...x, lastError: errorMessage(err) } : x)));
      }
    };
    return (
      <div className="space-y-4">
        <ErrorNotice
          title={status === 'failed' ? 'Linking failed' : status === 'stopped' ? 'This device is stopped' : 'This device was logged out'}
          error={session?.lastError ? asSentence(session.lastError) : 'Start it again to get a new QR code.'}
        />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" onClick={restart}>
            Start again
          </Button>
        </div>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <div role="group" aria-label="Linking method" className="grid grid-cols-2 gap-1 rounded-lg bg-zinc-100 p-1 text-sm">
        {(['qr', 'code'] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={method === m}
            onClick={() => onMethod(m)}
            className={`rounded-md py-1.5 font-medium ${method === m ? 'bg-white text-zinc-900 shadow-sm' : 'text-zinc-600 hover:text-zinc-900'}`}
          >
            {m === 'qr' ? 'QR code' : 'Pairing code'}
          </button>
        ))}
      </div>
      {method === 'qr' ? <QrPanel sessionId={sessionId} status={status} /> : <PairingPanel sessionId={sessionId} status={status} phone={phone} onPhone={onPhone} />}
    </div>
  );
}

function QrPanel({ sessionId, status }: { sessionId: string; status: Session['status'] }) {
  const qr = useQr(sessionId, status === 'qr');
  const sandbox = useSandbox();
  const now = useNow(1000);
  const value = qr.data?.qr ?? null;
  const secondsLeft = qr.data ? Math.max(0, Math.round((new Date(qr.data.expiresAt).getTime() - now) / 1000)) : null;

  return (
    <div className="space-y-4">
      <div className="mx-auto w-full max-w-[264px] rounded-xl border border-zinc-200 bg-white p-2">
        {value ? (
          <QrCode value={value} label="QR code to scan with WhatsApp" />
        ) : qr.isError ? (
          <div className="flex aspect-square items-center p-4">
            <ErrorNotice error={errorMessage(qr.error)} onRetry={() => void qr.refetch()} />
          </div>
        ) : (
          <div className="flex aspect-square flex-col items-center justify-center gap-3 text-sm text-zinc-600" role="status">
            <Spinner className="size-7 text-accent-600" />
            {status === 'reconnecting' ? 'Reconnecting…' : status === 'pairing' ? 'Pairing in progress…' : 'Preparing the QR code…'}
          </div>
        )}
      </div>
      {value && (
        <p className="text-center text-xs text-zinc-500" aria-live="off">
          {secondsLeft ? `A new code appears automatically in ${secondsLeft} s` : 'Refreshing the code…'}
        </p>
      )}
      <ol className="list-decimal space-y-1 pl-5 text-sm text-zinc-700">
        <li>Open WhatsApp on your phone.</li>
        <li>
          Go to <strong className="font-medium">Settings → Linked devices → Link a device</strong>.
        </li>
        <li>Point the phone at this code.</li>
      </ol>
      {sandbox.data?.enabled && <SandboxScan qr={value} />}
    </div>
  );
}

function PairingPanel({ sessionId, status, phone, onPhone }: { sessionId: string; status: Session['status']; phone: string; onPhone(p: string): void }) {
  const api = useApi();
  const sandbox = useSandbox();
  const toast = useToast();
  const [code, setCode] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const autoRequested = useRef(false);
  const [autoPending, setAutoPending] = useState(() => /^\d{7,15}$/.test(digitsOnly(phone)));
  const digits = digitsOnly(phone);
  const phoneOk = /^\d{7,15}$/.test(digits);

  const request = async () => {
    if (!phoneOk) return setError('Enter the phone number as 7 to 15 digits, country code first.');
    setBusy(true);
    setError(null);
    try {
      const res = await api.sessions.pairingCode(sessionId, digits);
      setCode(res.code);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 409 ? `${err.message} Wait until the device is ready, then try again.` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // Coming from the "Add" form with a phone number: ask for the code once the device is ready.
  useEffect(() => {
    if (!autoRequested.current && autoPending && phoneOk && !code && status === 'qr') {
      autoRequested.current = true;
      void request().finally(() => setAutoPending(false));
    }
  }, [status, phoneOk, code, autoPending]);

  const confirmWithSimulator = async () => {
    if (!code) return;
    setConfirming(true);
    try {
      await api.sandbox.confirmPairingCode(digits, code);
      toast(`Simulated phone ${formatPhone(digits)} entered the code`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setConfirming(false);
    }
  };

  if (code) {
    return (
      <div className="space-y-4">
        <div className="rounded-xl border border-zinc-200 bg-zinc-50 px-4 py-6 text-center">
          <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase">Your pairing code</p>
          <p className="mt-2 font-mono text-4xl font-semibold tracking-[0.15em] text-zinc-900 sm:text-5xl" aria-hidden="true" data-testid="pairing-code">
            {groupPairingCode(code)}
          </p>
          <p className="sr-only">{code.split('').join(' ')}</p>
          <p className="mt-2 text-xs text-zinc-500">for {formatPhone(digits)}</p>
        </div>
        <ol className="list-decimal space-y-1 pl-5 text-sm text-zinc-700">
          <li>
            On the phone with {formatPhone(digits)}, open WhatsApp → <strong className="font-medium">Settings → Linked devices → Link a device</strong>.
          </li>
          <li>
            Tap <strong className="font-medium">Link with phone number instead</strong> and type this code.
          </li>
        </ol>
        <div className="flex items-center justify-center gap-2 text-sm text-zinc-600" role="status">
          <Spinner className="size-4" /> Waiting for the phone…
        </div>
        {error && <ErrorNotice error={error} />}
        {sandbox.data?.enabled && (
          <div className="rounded-xl border border-amber-200 bg-amber-50/70 p-3">
            <Button variant="primary" busy={confirming} onClick={confirmWithSimulator} className="w-full">
              Enter the code on simulated phone {formatPhone(digits)}
            </Button>
          </div>
        )}
        <Button variant="ghost" size="sm" onClick={() => setCode(null)}>
          Use another number
        </Button>
      </div>
    );
  }

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void request();
      }}
    >
      <Field
        label="Phone number"
        inputMode="tel"
        placeholder="6281234567890"
        value={phone}
        onChange={(e) => onPhone(e.target.value)}
        hint="The number of the phone you are linking: country code first, digits only."
        error={error}
        data-autofocus
      />
      <div className="flex justify-end">
        <Button type="submit" variant="primary" busy={busy || (autoPending && !error)}>
          Get pairing code
        </Button>
      </div>
    </form>
  );
}
