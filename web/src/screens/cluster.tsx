import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { keys, useNodes } from '../api/queries';
import type { ClusterNode } from '../api/types';
import { useApi } from '../lib/auth';
import { formatDateTime, relativeTime } from '../lib/format';
import { useTitle } from '../lib/router';
import { useNow } from '../lib/use-now';
import { ConfirmDialog } from '../components/dialog';
import { ServerIcon } from '../components/icons';
import { Badge } from '../components/status-badge';
import { Button, Card, EmptyState, ErrorNotice, PageHeader, SkeletonRows } from '../components/ui';
import { useToast } from '../components/toast';

const STATUS_TONE = { active: 'green', draining: 'amber', dead: 'red' } as const;

export function ClusterScreen() {
  useTitle('Cluster');
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const nodes = useNodes();
  const [draining, setDraining] = useState<ClusterNode | null>(null);
  useNow(5_000);

  return (
    <>
      <PageHeader
        title="Cluster"
        description="The gateway nodes that hold your devices' connections. Drain a node to move its devices elsewhere without a re-scan."
      />
      {nodes.isPending ? (
        <SkeletonRows rows={1} label="Loading nodes" />
      ) : nodes.isError ? (
        <ErrorNotice title="Could not load nodes" error={errorMessage(nodes.error)} onRetry={() => void nodes.refetch()} />
      ) : nodes.data.length === 0 ? (
        <EmptyState icon={<ServerIcon />} title="No nodes reported">
          Nodes appear here once they send a heartbeat.
        </EmptyState>
      ) : (
        <>
          <ul className="grid gap-4 md:grid-cols-2" aria-label="Nodes">
            {nodes.data.map((n) => (
              <li key={n.id}>
                <NodeCard node={n} only={nodes.data.length === 1} onDrain={() => setDraining(n)} />
              </li>
            ))}
          </ul>
          {nodes.data.length === 1 && (
            <p className="mt-4 text-sm text-zinc-600">
              This gateway runs as a single node. For more, start each node with the same <code className="font-mono">DATABASE_URL</code> (PostgreSQL) and{' '}
              <code className="font-mono">REDIS_URL</code>.
            </p>
          )}
        </>
      )}
      <ConfirmDialog
        open={!!draining}
        onClose={() => setDraining(null)}
        title={`Drain node ${draining?.id ?? ''}?`}
        confirmLabel="Drain node"
        danger
        onConfirm={async () => {
          const updated = await api.nodes.drain(draining!.id);
          qc.setQueryData<ClusterNode[]>(keys.nodes, (l) => l?.map((n) => (n.id === updated.id ? updated : n)));
          void qc.invalidateQueries({ queryKey: keys.nodes });
          void qc.invalidateQueries({ queryKey: keys.sessions });
          toast(`Node ${updated.id} is draining`);
        }}
      >
        <p>
          Its {draining?.sessions ?? 0} device{draining?.sessions === 1 ? '' : 's'} move to other nodes (no re-scan needed) and it takes no new ones.
        </p>
      </ConfirmDialog>
    </>
  );
}

function NodeCard({ node: n, only, onDrain }: { node: ClusterNode; only: boolean; onDrain(): void }) {
  const pct = n.capacity > 0 ? Math.min(100, (n.sessions / n.capacity) * 100) : 0;
  const barColor = pct > 90 ? 'bg-red-500' : pct > 70 ? 'bg-amber-500' : 'bg-accent-500';
  const tone = STATUS_TONE[n.status as keyof typeof STATUS_TONE] ?? 'zinc';
  return (
    <Card className="p-5">
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="flex items-center gap-2">
            <ServerIcon className="size-5 text-zinc-500" />
            <span className="truncate font-mono font-medium text-zinc-900">{n.id}</span>
          </p>
          {n.url && <p className="mt-1 truncate font-mono text-xs text-zinc-500">{n.url}</p>}
        </div>
        <Badge tone={tone}>{n.status}</Badge>
      </div>
      <div className="mt-5">
        <div className="flex items-baseline justify-between text-sm">
          <span className="text-zinc-600">Devices</span>
          <span className="tabular-nums text-zinc-900">
            <strong className="font-semibold">{n.sessions.toLocaleString()}</strong> / {n.capacity.toLocaleString()}
          </span>
        </div>
        <div
          className="mt-1.5 h-2 overflow-hidden rounded-full bg-zinc-100"
          role="meter"
          aria-label={`Devices on ${n.id}`}
          aria-valuemin={0}
          aria-valuemax={n.capacity}
          aria-valuenow={n.sessions}
          aria-valuetext={`${n.sessions} of ${n.capacity}`}
        >
          <div className={`h-full rounded-full ${barColor}`} style={{ width: `${Math.max(pct, n.sessions > 0 ? 1.5 : 0)}%` }} />
        </div>
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-3 text-sm">
        <div>
          <dt className="text-zinc-500">Region</dt>
          <dd className="text-zinc-900">{n.region ?? '—'}</dd>
        </div>
        <div>
          <dt className="text-zinc-500">Last heartbeat</dt>
          <dd className="text-zinc-900">
            <time dateTime={n.lastHeartbeat} title={formatDateTime(n.lastHeartbeat)}>
              {relativeTime(n.lastHeartbeat)}
            </time>
          </dd>
        </div>
      </dl>
      <div className="mt-5 flex items-center justify-end gap-3 border-t border-zinc-100 pt-4">
        {only && (
          <p id={`drain-why-${n.id}`} className="text-right text-xs text-zinc-500">
            The only node: its devices have nowhere to move to.
          </p>
        )}
        <Button
          size="sm"
          onClick={onDrain}
          disabled={only || n.status !== 'active'}
          aria-label={`Drain node ${n.id}`}
          aria-describedby={only ? `drain-why-${n.id}` : undefined}
        >
          Drain
        </Button>
      </div>
    </Card>
  );
}
