import { type FormEvent, useState } from 'react';
import { useAuth } from '../lib/auth';
import { useTitle } from '../lib/router';
import { Button, ErrorNotice, Field } from '../components/ui';
import { Logo } from '../components/logo';

export function SignIn() {
  useTitle('Sign in');
  const { signIn, notice } = useAuth();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex justify-center">
          <Logo className="text-2xl" />
        </div>
        <form onSubmit={submit} className="space-y-5 rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm" noValidate>
          <div>
            <h1 className="text-lg font-semibold text-zinc-900">Sign in</h1>
            <p className="mt-1 text-sm text-zinc-600">Use the gateway&rsquo;s API key to manage your WhatsApp numbers.</p>
          </div>
          {notice && !error && <ErrorNotice error={notice} />}
          <Field
            label="API key"
            name="apiKey"
            type="password"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
            error={error}
            hint={
              <>
                The value of <code className="font-mono">KIRIM_API_KEY</code>, or the key printed on first start (saved in{' '}
                <code className="font-mono">data/api-key</code>).
              </>
            }
          />
          <Button type="submit" variant="primary" busy={busy} className="w-full" disabled={!key.trim()}>
            Sign in
          </Button>
          <p className="text-xs text-zinc-500">The key is kept in this browser tab only and forgotten when you close it.</p>
        </form>
      </div>
    </main>
  );
}
