import { useId, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { keys } from '../api/queries';
import { useApi } from '../lib/auth';
import { digitsOnly, formatPhone } from '../lib/format';
import { FlaskIcon } from './icons';
import { Button } from './ui';
import { useToast } from './toast';

/** Sandbox only: a simulated phone scans this QR (POST /v1/sandbox/admin/scan). */
export function SandboxScan({ qr, compact = false }: { qr: string | null; compact?: boolean }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const phoneId = useId();

  const scan = async () => {
    if (!qr) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.sandbox.scan(qr, digitsOnly(phone) || undefined);
      toast(`Scanned by simulated phone ${formatPhone(res.phone)}`);
      void qc.invalidateQueries({ queryKey: keys.simAccounts });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={`rounded-xl border border-amber-200 bg-amber-50/70 ${compact ? 'p-3' : 'p-4'}`}>
      {!compact && (
        <p className="mb-3 flex items-center gap-2 text-sm font-medium text-amber-900">
          <FlaskIcon className="size-4" /> Sandbox: no phone needed
        </p>
      )}
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1 basis-40">
          <label htmlFor={phoneId} className="block text-xs font-medium text-amber-900">
            Simulated phone number <span className="font-normal text-amber-800/80">(optional)</span>
          </label>
          <input
            id={phoneId}
            inputMode="numeric"
            placeholder="random"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            className="mt-1 h-9 w-full rounded-lg border border-amber-300 bg-white px-3 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-500"
          />
        </div>
        <Button variant="primary" size="md" className="h-9" busy={busy} disabled={!qr} onClick={scan}>
          Scan with a simulated phone
        </Button>
      </div>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
