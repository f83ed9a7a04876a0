/** A gateway node as the API shows it (CONTRACT §2, /v1/nodes). */
export interface NodeView {
  id: string;
  url: string | null;
  region: string | null;
  status: 'active' | 'draining' | 'dead';
  sessions: number;
  capacity: number;
  lastHeartbeat: string;
  labels?: Record<string, string>;
}

export interface NodeDirectory {
  list(): Promise<NodeView[]>;
  drain(id: string): Promise<NodeView>;
}
