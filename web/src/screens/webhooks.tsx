import { type FormEvent, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { keys, useDeliveries, useWebhooks } from '../api/queries';
import { type CreatedWebhook, type Delivery, EVENT_TYPES, type EventType, type Webhook } from '../api/types';
import { useApi } from '../lib/auth';
import { formatDateTime, relativeTime } from '../lib/format';
import { Link, useTitle } from '../lib/router';
import { useNow } from '../lib/use-now';
import { failureReason, webhookHealth } from '../lib/webhook-health';
import { ConfirmDialog, Dialog } from '../components/dialog';
import { AlertIcon, BackIcon, PlusIcon, RefreshIcon, WebhookIcon } from '../components/icons';
import { CopyButton } from '../components/copy-button';
import { Badge } from '../components/status-badge';
import { Button, Card, EmptyState, ErrorNotice, Field, PageHeader, SkeletonRows, Spinner } from '../components/ui';
import { useToast } from '../components/toast';

const EVENT_HELP: Record<EventType, string> = {
  'session.status': 'A device connected, disconnected or was logged out',
  'session.qr': 'A new QR code is ready to scan',
  'message.received': 'A message arrived',
  'message.status': 'A sent message was delivered, read or failed',
};

export function WebhooksScreen({ webhookId }: { webhookId: string | null }) {
  useTitle('Webhooks');
  const webhooks = useWebhooks();
  if (webhookId) {
    const hook = webhooks.data?.find((w) => w.id === webhookId);
    return <DeliveriesView webhookId={webhookId} webhook={hook ?? null} loading={webhooks.isPending} />;
  }
  return <WebhookList />;
}

function WebhookList() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const webhooks = useWebhooks();
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [removing, setRemoving] = useState<Webhook | null>(null);
  const list = webhooks.data ?? [];

  const sendTest = async (w: Webhook) => {
    try {
      await api.webhooks.test(w.id);
      toast('Test event queued: see Deliveries');
      void qc.invalidateQueries({ queryKey: keys.deliveries(w.id) });
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  const enable = async (w: Webhook) => {
    try {
      const updated = await api.webhooks.update(w.id, { enabled: true });
      qc.setQueryData<Webhook[]>(keys.webhooks, (l) => l?.map((x) => (x.id === updated.id ? updated : x)));
      toast('Webhook enabled');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };

  const addButton = (
    <Button variant="primary" onClick={() => setAdding(true)}>
      <PlusIcon className="size-4" /> Add webhook
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="kirim POSTs each event to your URL, signed per the Standard Webhooks spec, and retries for at least 24 hours until you answer 2xx."
        actions={list.length > 0 && addButton}
      />
      {webhooks.isPending ? (
        <SkeletonRows rows={2} label="Loading webhooks" />
      ) : webhooks.isError ? (
        <ErrorNotice title="Could not load webhooks" error={errorMessage(webhooks.error)} onRetry={() => void webhooks.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<WebhookIcon />} title="No webhooks yet" action={addButton}>
          Add your server&rsquo;s URL to receive messages and status changes as they happen.
        </EmptyState>
      ) : (
        <Card>
          <ul className="divide-y divide-zinc-100" aria-label="Webhooks">
            {list.map((w) => (
              <li key={w.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" aria-label={w.url}>
                <div className="min-w-0 flex-1">
                  <p className="truncate font-mono text-sm font-medium text-zinc-900" title={w.url}>
                    {w.url}
                  </p>
                  {w.description && <p className="mt-0.5 text-sm text-zinc-600">{w.description}</p>}
                  <div className="mt-2 flex flex-wrap gap-1.5">
                    {!w.events || w.events.length === EVENT_TYPES.length ? <Badge>All events</Badge> : w.events.map((e) => <Badge key={e}>{e}</Badge>)}
                    {w.enabled === false && <Badge tone="red">Disabled</Badge>}
                  </div>
                  <HealthLine webhookId={w.id} />
                  {w.enabled === false && (
                    <p className="mt-2 text-sm text-red-700">
                      {w.disabledReason || 'kirim stopped sending to this URL.'}{' '}
                      <button type="button" className="font-medium underline" onClick={() => void enable(w)}>
                        Enable again
                      </button>
                    </p>
                  )}
                </div>
                <div className="flex flex-wrap gap-1.5">
                  <Button size="sm" variant="ghost" onClick={() => void sendTest(w)} aria-label={`Send a test event to ${w.url}`}>
                    Send test
                  </Button>
                  <Link
                    to={`/webhooks/${encodeURIComponent(w.id)}`}
                    className="inline-flex h-8 items-center rounded-lg px-2.5 text-sm font-medium text-accent-700 ring-1 ring-inset ring-zinc-200 hover:bg-accent-50"
                  >
                    Deliveries
                  </Link>
                  <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setRemoving(w)} aria-label={`Remove webhook ${w.url}`}>
                    Remove
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      )}

      <AddWebhookDialog
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={(w) => {
          setAdding(false);
          setCreated(w);
          const { secret: _secret, ...stored } = w;
          qc.setQueryData<Webhook[]>(keys.webhooks, (l) => [...(l ?? []), stored]);
          void qc.invalidateQueries({ queryKey: keys.webhooks });
        }}
      />
      <SecretDialog webhook={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        open={!!removing}
        onClose={() => setRemoving(null)}
        title="Remove this webhook?"
        confirmLabel="Remove webhook"
        danger
        onConfirm={async () => {
          const id = removing!.id;
          await api.webhooks.remove(id);
          qc.setQueryData<Webhook[]>(keys.webhooks, (l) => l?.filter((w) => w.id !== id));
          toast('Webhook removed');
        }}
      >
        <p>
          <span className="font-mono break-all text-zinc-900">{removing?.url}</span> will stop receiving events. Deliveries not yet made are dropped.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** "Last delivery OK 2 min ago · 1 failed of the last 3", from the webhook's newest deliveries. */
function HealthLine({ webhookId }: { webhookId: string }) {
  const deliveries = useDeliveries(webhookId);
  useNow(10_000);
  if (deliveries.isPending) return <p className="mt-2 text-sm text-zinc-500">Checking deliveries…</p>;
  if (deliveries.isError) return <p className="mt-2 text-sm text-zinc-500">Delivery health unavailable: {errorMessage(deliveries.error)}</p>;
  const h = webhookHealth(deliveries.data);
  const dot = h.state === 'ok' ? 'bg-accent-500' : h.state === 'failing' ? 'bg-red-500' : 'bg-zinc-300';
  const text =
    h.state === 'none'
      ? 'No deliveries yet'
      : h.state === 'ok'
        ? `Last delivery OK ${relativeTime(h.last!.deliveredAt ?? h.last!.updatedAt)}`
        : `Last delivery failed (${failureReason(h.last!)}) ${relativeTime(h.last!.updatedAt)}`;
  return (
    <p className={`mt-2 flex items-center gap-1.5 text-sm ${h.state === 'failing' ? 'text-red-700' : 'text-zinc-600'}`} data-testid="webhook-health" data-state={h.state}>
      <span className={`size-2 shrink-0 rounded-full ${dot}`} aria-hidden="true" />
      <span>
        <span className="sr-only">Health: </span>
        {text}
        {h.failing > 0 && ` · ${h.failing} failed of the last ${h.of}`}
      </span>
    </p>
  );
}

function AddWebhookDialog({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(w: CreatedWebhook): void }) {
  const api = useApi();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Set<EventType>>(() => new Set(EVENT_TYPES));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [urlError, setUrlError] = useState<string | null>(null);

  const reset = () => {
    setUrl('');
    setDescription('');
    setEvents(new Set(EVENT_TYPES));
    setError(null);
    setUrlError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setUrlError(null);
    if (!/^https?:\/\/\S+$/i.test(url.trim())) return setUrlError('Enter a full URL starting with https:// (or http://).');
    if (events.size === 0) return setError('Choose at least one event.');
    setBusy(true);
    try {
      const all = events.size === EVENT_TYPES.length;
      const created = await api.webhooks.create({
        url: url.trim(),
        ...(all ? {} : { events: EVENT_TYPES.filter((t) => events.has(t)) }),
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      reset();
      onCreated(created);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (t: EventType) =>
    setEvents((prev) => {
      const next = new Set(prev);
      if (next.has(t)) next.delete(t);
      else next.add(t);
      return next;
    });

  return (
    <Dialog
      open={open}
      onClose={() => {
        reset();
        onClose();
      }}
      title="Add webhook"
      footer={
        <>
          <Button
            onClick={() => {
              reset();
              onClose();
            }}
          >
            Cancel
          </Button>
          <Button type="submit" form="add-webhook" variant="primary" busy={busy}>
            Add webhook
          </Button>
        </>
      }
    >
      <form id="add-webhook" onSubmit={submit} noValidate className="space-y-5">
        <Field
          label="URL"
          type="url"
          inputMode="url"
          placeholder="https://example.com/kirim"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={urlError}
          data-autofocus
        />
        <Field label="Description" placeholder="Optional" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} />
        <fieldset>
          <legend className="text-sm font-medium text-zinc-800">Events</legend>
          <div className="mt-2 space-y-2">
            {EVENT_TYPES.map((t) => (
              <label key={t} className="flex items-start gap-3 rounded-lg p-1 text-sm">
                <input type="checkbox" className="mt-0.5 size-4 accent-accent-600" checked={events.has(t)} onChange={() => toggle(t)} />
                <span>
                  <span className="font-mono text-zinc-900">{t}</span>
                  <span className="block text-zinc-600">{EVENT_HELP[t]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        {error && <ErrorNotice error={error} />}
      </form>
    </Dialog>
  );
}

function SecretDialog({ webhook, onClose }: { webhook: CreatedWebhook | null; onClose(): void }) {
  return (
    <Dialog
      open={!!webhook}
      onClose={onClose}
      title="Webhook added — copy its signing secret"
      footer={
        <Button variant="primary" onClick={onClose}>
          I&rsquo;ve saved the secret
        </Button>
      }
    >
      {webhook && (
        <div className="space-y-4 text-sm">
          <div className="flex items-start gap-2 rounded-lg border border-amber-200 bg-amber-50 p-3 text-amber-900" role="alert">
            <AlertIcon className="mt-0.5 size-4 shrink-0" />
            <p>
              This secret is shown <strong>only once</strong>. Store it now; you won&rsquo;t be able to see it again. Your server uses it to verify the{' '}
              <code className="font-mono">webhook-signature</code> header.
            </p>
          </div>
          <div>
            <p className="mb-1 font-medium text-zinc-800" id="secret-label">
              Signing secret
            </p>
            <div className="flex items-center gap-2">
              <code aria-labelledby="secret-label" className="min-w-0 flex-1 rounded-lg bg-zinc-900 px-3 py-2.5 font-mono text-xs break-all text-zinc-50 select-all" data-testid="webhook-secret">
                {webhook.secret}
              </code>
              <CopyButton text={webhook.secret} />
            </div>
          </div>
          <p className="text-zinc-600">
            Sends to <span className="font-mono break-all">{webhook.url}</span>
          </p>
        </div>
      )}
    </Dialog>
  );
}

const DELIVERY_TONE: Record<string, 'green' | 'amber' | 'red' | 'zinc'> = {
  delivered: 'green',
  succeeded: 'green',
  success: 'green',
  pending: 'zinc',
  delivering: 'amber',
  failed: 'red',
  dead: 'red',
};

function DeliveriesView({ webhookId, webhook, loading }: { webhookId: string; webhook: Webhook | null; loading: boolean }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const deliveries = useDeliveries(webhookId);
  const [redelivering, setRedelivering] = useState<string | null>(null);
  useNow(10_000);

  const redeliver = async (d: Delivery) => {
    setRedelivering(d.id);
    try {
      await api.webhooks.redeliver(webhookId, d.id);
      toast('Queued for redelivery');
      void qc.invalidateQueries({ queryKey: keys.deliveries(webhookId) });
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setRedelivering(null);
    }
  };

  return (
    <>
      <Link to="/webhooks" className="mb-4 inline-flex items-center gap-1 text-sm font-medium text-zinc-600 hover:text-zinc-900">
        <BackIcon className="size-4" /> All webhooks
      </Link>
      <PageHeader
        title="Deliveries"
        description={webhook ? <span className="font-mono break-all">{webhook.url}</span> : loading ? 'Loading…' : 'This webhook no longer exists.'}
        actions={
          <Button size="sm" onClick={() => void deliveries.refetch()} busy={deliveries.isFetching && !deliveries.isPending} aria-label="Refresh deliveries">
            <RefreshIcon className="size-4" /> Refresh
          </Button>
        }
      />
      {deliveries.isPending ? (
        <SkeletonRows rows={3} label="Loading deliveries" />
      ) : deliveries.isError ? (
        <ErrorNotice title="Could not load deliveries" error={errorMessage(deliveries.error)} onRetry={() => void deliveries.refetch()} />
      ) : deliveries.data.length === 0 ? (
        <EmptyState icon={<WebhookIcon />} title="No deliveries yet">
          When an event happens (a message arrives, a device connects) its delivery shows up here.
        </EmptyState>
      ) : (
        <Card className="overflow-hidden">
          <div className="relative overflow-x-auto">
            <table className="w-full min-w-[640px] text-left text-sm">
              <caption className="sr-only">Deliveries, newest first</caption>
              <thead className="bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-2.5">Event</th>
                  <th scope="col" className="px-4 py-2.5">Status</th>
                  <th scope="col" className="px-4 py-2.5">Attempts</th>
                  <th scope="col" className="px-4 py-2.5">Last answer</th>
                  <th scope="col" className="px-4 py-2.5">When</th>
                  <th scope="col" className="px-4 py-2.5"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {deliveries.data.map((d) => (
                  <tr key={d.id} className="align-top">
                    <td className="px-4 py-3">
                      <span className="font-mono text-zinc-900">{d.eventType}</span>
                      <span className="block font-mono text-xs text-zinc-500">{d.eventId}</span>
                    </td>
                    <td className="px-4 py-3">
                      <Badge tone={DELIVERY_TONE[d.status] ?? 'zinc'}>{d.status}</Badge>
                      {d.nextAttemptAt && d.status !== 'delivered' && <span className="mt-1 block text-xs text-zinc-500">next try {relativeTime(d.nextAttemptAt)}</span>}
                    </td>
                    <td className="px-4 py-3 tabular-nums">{d.attempts}</td>
                    <td className="px-4 py-3">
                      {d.lastStatusCode != null ? <span className="font-mono">HTTP {d.lastStatusCode}</span> : <span className="text-zinc-400">—</span>}
                      {d.lastError && <span className="block max-w-xs text-xs break-words text-red-700">{d.lastError}</span>}
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap text-zinc-600">
                      <time dateTime={d.createdAt} title={formatDateTime(d.createdAt)}>
                        {relativeTime(d.createdAt)}
                      </time>
                    </td>
                    <td className="px-4 py-3 text-right">
                      <Button size="sm" onClick={() => void redeliver(d)} disabled={redelivering === d.id} aria-label={`Redeliver ${d.eventType} ${d.eventId}`}>
                        {redelivering === d.id ? <Spinner className="size-4" /> : <RefreshIcon className="size-4" />} Redeliver
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  );
}
