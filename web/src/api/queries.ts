import { replaceEqualDeep, useQuery } from '@tanstack/react-query';
import { useApi } from '../lib/auth';
import { keepChatStatusesForward, keepStatusesForward } from '../lib/message-status';
import type { Chat, Message } from './types';
import { ApiError } from './client';
import { keys } from './keys';

export { keys };


export function useSessions() {
  const api = useApi();
  return useQuery({ queryKey: keys.sessions, queryFn: api.sessions.list });
}

/** The current QR string of a session waiting for a scan; kept fresh by `session.qr` events. */
export function useQr(sessionId: string | null, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: keys.qr(sessionId ?? ''),
    queryFn: async () => {
      try {
        return await api.sessions.qr(sessionId!);
      } catch (err) {
        // 409: not waiting for a scan (yet): the session.qr event will fill this in.
        if (err instanceof ApiError && err.status === 409) return null;
        throw err;
      }
    },
    enabled: !!sessionId && enabled,
    staleTime: Infinity,
    // A safety net: the session.qr event normally replaces the code before it expires.
    refetchInterval: 20_000,
  });
}

export function useChats(sessionId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: keys.chats(sessionId ?? ''),
    queryFn: () => api.chats.list(sessionId!),
    enabled: !!sessionId,
    structuralSharing: (old, fresh) => replaceEqualDeep(old, keepChatStatusesForward(old as Chat[] | undefined, fresh as Chat[])),
  });
}

export function useMessages(sessionId: string | null, chat: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: keys.messages(sessionId ?? '', chat ?? ''),
    queryFn: () => api.messages.history(sessionId!, chat!, 200),
    enabled: !!sessionId && !!chat,
    // ticks only move forward, whichever of a refetch and a live event lands last
    structuralSharing: (old, fresh) => replaceEqualDeep(old, keepStatusesForward(old as Message[] | undefined, fresh as Message[])),
  });
}

export function useWebhooks() {
  const api = useApi();
  return useQuery({ queryKey: keys.webhooks, queryFn: api.webhooks.list });
}

export function useDeliveries(webhookId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: keys.deliveries(webhookId ?? ''),
    queryFn: () => api.webhooks.deliveries(webhookId!),
    enabled: !!webhookId,
    // Shared by the list's health line and the Deliveries page: opening either shows fresh ones.
    staleTime: 0,
    refetchInterval: 5_000,
  });
}

export function useNodes() {
  const api = useApi();
  return useQuery({ queryKey: keys.nodes, queryFn: api.nodes.list, refetchInterval: 10_000 });
}

/** Whether the gateway runs with the simulator; a gateway without the endpoint counts as "off". */
export function useSandbox() {
  const api = useApi();
  return useQuery({
    queryKey: keys.sandbox,
    queryFn: async () => {
      try {
        return await api.sandbox.info();
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return { enabled: false, url: null };
        throw err;
      }
    },
    staleTime: 5 * 60_000,
  });
}
