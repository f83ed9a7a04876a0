
/** Row types of every table. Times are unix milliseconds; booleans are 0/1; JSON is text. */
export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  workspace_id: string;
  name: string;
  /** What the user asked for: 'running' sessions are kept connected, 'stopped' ones are not. */
  desired: 'running' | 'stopped';
  status: string;
  phone: string | null;
  jid: string | null;
  lid: string | null;
  push_name: string | null;
  node_id: string | null;
  /** Preferred region for placement (cluster mode). */
  region: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  /** JSON object of node labels the session must run on (cluster mode), or null. */
  labels?: string | null;
}

export interface SessionStateTable {
  session_id: string;
  workspace_id: string;
  data: Buffer;
  epoch: number;
  updated_at: number;
}

export interface MessagesTable {
  id: string;
  workspace_id: string;
  session_id: string;
  /** WhatsApp's message id (we choose it for outgoing messages, so receipts always match). */
  wa_id: string;
  /** Canonical chat: the phone jid when known, else the LID jid. */
  chat: string;
  direction: 'in' | 'out';
  sender: string;
  /** The jid WhatsApp addressed the chat by (phone or LID form); receipts go back to it. */
  remote_jid: string;
  text: string;
  status: string;
  error: string | null;
  push_name: string | null;
  attempts: number;
  timestamp: number;
  created_at: number;
  updated_at: number;
}

export interface ContactsTable {
  session_id: string;
  workspace_id: string;
  chat: string;
  phone: string | null;
  lid: string | null;
  push_name: string | null;
  updated_at: number;
}

/** A webhook endpoint. `events` is a JSON array of event types, or null for every type. */
export interface WebhooksTable {
  id: string;
  workspace_id: string;
  url: string;
  events: string | null;
  secret: string;
  description: string | null;
  enabled: number;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export type WebhookDeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed';

/** The webhook outbox: one row per (webhook, event), written before it is attempted. */
export interface WebhookDeliveriesTable {
  id: string;
  workspace_id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  locked_by: string | null;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface NodesTable {
  id: string;
  url: string | null;
  region: string | null;
  labels: string;
  capacity: number;
  status: 'active' | 'draining' | 'left';
  sessions: number;
  started_at: number;
  heartbeat_at: number;
}

export interface LeasesTable {
  key: string;
  holder: string;
  epoch: number;
  expires_at: number;
}

export interface Database {
  workspaces: WorkspacesTable;
  sessions: SessionsTable;
  session_state: SessionStateTable;
  kirim_meta: { key: string; value: string };
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  messages: MessagesTable;
  nodes: NodesTable;
  leases: LeasesTable;
  contacts: ContactsTable;
}
