/** Counters behind `GET /admin/stats`. */
export class SimStats {
  /** WebSocket connections currently open */
  connections = 0;
  /** Noise handshakes completed since start */
  handshakes = 0;
  /** devices that were connected twice at once (the older socket got `conflict type="replaced"`) */
  conflicts = 0;
  /** messages routed (client sends and simulated-contact sends) */
  messages = 0;

  snapshot(): { connections: number; handshakes: number; conflicts: number; messages: number } {
    return { connections: this.connections, handshakes: this.handshakes, conflicts: this.conflicts, messages: this.messages };
  }
}
