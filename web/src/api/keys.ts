/** Query keys, in one place so the live-event handler and the screens agree. */
export const keys = {
  sessions: ['sessions'] as const,
  qr: (sessionId: string) => ['qr', sessionId] as const,
  chats: (sessionId: string) => ['chats', sessionId] as const,
  messagesOf: (sessionId: string) => ['messages', sessionId] as const,
  messages: (sessionId: string, chat: string) => ['messages', sessionId, chat] as const,
  webhooks: ['webhooks'] as const,
  deliveries: (webhookId: string) => ['deliveries', webhookId] as const,
  nodes: ['nodes'] as const,
  sandbox: ['sandbox'] as const,
  simAccounts: ['sandbox', 'accounts'] as const,
  simStats: ['sandbox', 'stats'] as const,
  simInbox: (phone: string) => ['sandbox', 'inbox', phone] as const,
};
