import { type ComponentType, type SVGProps, useEffect } from 'react';
import { useAuth } from './lib/auth';
import { Link, navigate, useSegments } from './lib/router';
import { type LiveState, useLiveEvents } from './lib/use-live-events';
import { useSandbox } from './api/queries';
import { ChatIcon, FlaskIcon, LogOutIcon, PhoneIcon, ServerIcon, WebhookIcon } from './components/icons';
import { Logo } from './components/logo';
import { SignIn } from './screens/sign-in';
import { DevicesScreen } from './screens/devices';
import { InboxScreen } from './screens/inbox';
import { WebhooksScreen } from './screens/webhooks';
import { ClusterScreen } from './screens/cluster';
import { SandboxScreen } from './screens/sandbox';
import { EmptyState } from './components/ui';

interface NavItem {
  path: string;
  label: string;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
}

export function App() {
  const { api } = useAuth();
  if (!api) return <SignIn />;
  return <Shell />;
}

function Shell() {
  const { api, signOut } = useAuth();
  const live = useLiveEvents(api);
  const segments = useSegments();
  const sandbox = useSandbox();
  const section = segments[0] ?? '';

  useEffect(() => {
    if (!section) navigate('/devices', { replace: true });
  }, [section]);

  const nav: NavItem[] = [
    { path: 'devices', label: 'Devices', icon: PhoneIcon },
    { path: 'inbox', label: 'Inbox', icon: ChatIcon },
    { path: 'webhooks', label: 'Webhooks', icon: WebhookIcon },
    { path: 'cluster', label: 'Cluster', icon: ServerIcon },
    ...(sandbox.data?.enabled ? [{ path: 'sandbox', label: 'Sandbox', icon: FlaskIcon }] : []),
  ];

  let screen;
  switch (section) {
    case '':
    case 'devices':
      screen = <DevicesScreen />;
      break;
    case 'inbox':
      screen = <InboxScreen sessionId={segments[1] ?? null} chat={segments[2] ?? null} />;
      break;
    case 'webhooks':
      screen = <WebhooksScreen webhookId={segments[1] ?? null} />;
      break;
    case 'cluster':
      screen = <ClusterScreen />;
      break;
    case 'sandbox':
      screen = <SandboxScreen />;
      break;
    default:
      screen = (
        <EmptyState title="There is no page here" action={<Link to="/devices" className="font-medium text-accent-700 underline">Go to Devices</Link>}>
          The address <code className="font-mono">{window.location.pathname}</code> does not match any screen.
        </EmptyState>
      );
  }
  const wide = section === 'inbox';
  // On a phone an open conversation gets the whole height: no tab bar under the composer.
  const inConversation = section === 'inbox' && !!segments[2];

  return (
    <div className="min-h-dvh md:flex">
      <a href="#main" className="sr-only z-50 rounded bg-white px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2">
        Skip to content
      </a>

      {/* Desktop: a sidebar. */}
      <aside className="sticky top-0 hidden h-dvh w-60 shrink-0 flex-col border-r border-zinc-200 bg-white md:flex">
        <div className="flex h-16 items-center px-5">
          <Logo className="text-lg" />
          {sandbox.data?.enabled && <span className="ml-2 rounded-md bg-amber-100 px-1.5 py-0.5 text-[11px] font-semibold tracking-wide text-amber-800 uppercase">Sandbox</span>}
        </div>
        <nav aria-label="Main" className="flex-1 space-y-1 px-3 py-2">
          {nav.map((item) => (
            <NavLink key={item.path} item={item} active={section === item.path || (!section && item.path === 'devices')} />
          ))}
        </nav>
        <div className="space-y-3 border-t border-zinc-200 p-4">
          <LiveIndicator state={live} />
          <button
            type="button"
            onClick={() => signOut()}
            className="flex w-full items-center gap-2 rounded-lg px-2 py-1.5 text-sm text-zinc-700 hover:bg-zinc-100"
          >
            <LogOutIcon className="size-4" /> Sign out
          </button>
        </div>
      </aside>

      {/* Mobile: a top bar and a bottom tab bar. */}
      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b border-zinc-200 bg-white/95 px-4 backdrop-blur md:hidden">
        <div className="flex items-center gap-2">
          <Logo />
          {sandbox.data?.enabled && <span className="rounded-md bg-amber-100 px-1.5 py-0.5 text-[11px] font-semibold text-amber-800 uppercase">Sandbox</span>}
        </div>
        <div className="flex items-center gap-3">
          <LiveIndicator state={live} compact />
          <button type="button" onClick={() => signOut()} aria-label="Sign out" className="rounded-md p-1.5 text-zinc-600 hover:bg-zinc-100">
            <LogOutIcon />
          </button>
        </div>
      </header>

      <main id="main" className={`min-w-0 flex-1 md:pb-0 ${wide ? (inConversation ? '' : 'pb-16') : 'px-4 pt-6 pb-24 sm:px-6 lg:px-10 lg:py-8'}`}>
        <div className={wide ? '' : 'mx-auto max-w-5xl'}>{screen}</div>
      </main>

      <nav aria-label="Main" className={`fixed inset-x-0 bottom-0 z-30 h-16 border-t border-zinc-200 bg-white md:hidden ${inConversation ? 'hidden' : 'flex'}`}>
        {nav.map((item) => {
          const active = section === item.path;
          const Icon = item.icon;
          return (
            <Link
              key={item.path}
              to={`/${item.path}`}
              aria-current={active ? 'page' : undefined}
              className={`flex flex-1 flex-col items-center justify-center gap-0.5 text-[11px] font-medium ${active ? 'text-accent-700' : 'text-zinc-500'}`}
            >
              <Icon className="size-5" />
              {item.label}
            </Link>
          );
        })}
      </nav>
    </div>
  );
}

function NavLink({ item, active }: { item: NavItem; active: boolean }) {
  const Icon = item.icon;
  return (
    <Link
      to={`/${item.path}`}
      aria-current={active ? 'page' : undefined}
      className={`flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium ${active ? 'bg-accent-50 text-accent-800' : 'text-zinc-700 hover:bg-zinc-100'}`}
    >
      <Icon className={`size-5 ${active ? 'text-accent-700' : 'text-zinc-500'}`} />
      {item.label}
    </Link>
  );
}

function LiveIndicator({ state, compact = false }: { state: LiveState; compact?: boolean }) {
  const text = state === 'live' ? 'Live updates on' : state === 'connecting' ? 'Connecting…' : 'Offline — retrying';
  const dot = state === 'live' ? 'bg-accent-500' : state === 'connecting' ? 'bg-amber-400 animate-pulse' : 'bg-red-500';
  return (
    <span className="flex items-center gap-2 text-xs text-zinc-600" role="status" title={text} aria-label={compact ? text : undefined}>
      <span className={`size-2 rounded-full ${dot}`} aria-hidden="true" />
      {!compact && text}
    </span>
  );
}
