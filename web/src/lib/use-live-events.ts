import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Api } from '../api/client';
import type { EventType, KirimEvent } from '../api/types';
import { EVENT_TYPES } from '../api/types';
import { applyEvent } from './apply-event';

export type LiveState = 'connecting' | 'live' | 'offline';

/**
 * One Server-Sent Events connection for the whole dashboard. It reconnects with a growing delay
 * when the stream drops, and refetches everything after a reconnect (events may have been missed).
 */
export function useLiveEvents(api: Api | null): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    if (!api) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let everOpen = false;
    let stopped = false;

    const onEvent = (e: MessageEvent<string>) => {
      try {
        applyEvent(qc, JSON.parse(e.data) as KirimEvent);
      } catch {}
    };

    const connect = () => {
      if (stopped) return;
      setState('connecting');
      source = new EventSource(api.eventsUrl());
      source.addEventListener('open', () => {
        attempt = 0;
        setState('live');
        if (everOpen) void qc.invalidateQueries();
        everOpen = true;
      });
      for (const type of EVENT_TYPES as readonly EventType[]) source.addEventListener(type, onEvent);
      source.addEventListener('error', () => {
        // The browser retries by itself while CONNECTING; once CLOSED (e.g. a 401 or a proxy
        // error) it gives up, so we reconnect ourselves, waiting longer each time.
        if (source?.readyState === EventSource.CLOSED) {
          setState('offline');
          source.close();
          const delay = Math.min(30_000, 1_000 * 2 ** attempt++);
          retry = setTimeout(connect, delay);
        } else {
          setState('connecting');
        }
      });
    };
    connect();

    const onOnline = () => {
      if (source?.readyState === EventSource.CLOSED) {
        clearTimeout(retry);
        attempt = 0;
        connect();
      }
    };
    window.addEventListener('online', onOnline);
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
      window.removeEventListener('online', onOnline);
    };
  }, [api, qc]);

  return state;
}
