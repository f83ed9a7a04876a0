/** One kind of iq the simulator has no handler for, and how often a client sent it. */
export interface UnhandledIq {
  xmlns: string;
  type: string;
  /** tag of the first child ('' when none) */
  child: string;
  count: number;
}

export interface StatsSnapshot {
  connections: number;
  handshakes: number;
  conflicts: number;
  messages: number;
  /** iqs answered by the fallback (an empty result): each one is a query the simulator does not really answer */
  unhandledIqs: number;
  /** which ones, most frequent first */
  unhandledIqKinds: UnhandledIq[];
  /** prekey uploads (`<iq xmlns="encrypt" type="set"><registration/>…`) accepted */
  preKeyUploads: number;
  /** retry receipts from clients: each is a message a client could not decrypt */
  retryReceipts: number;
}

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
  /** prekey uploads accepted */
  preKeyUploads = 0;
  /** retry receipts received */
  retryReceipts = 0;
  private readonly unhandled = new Map<string, UnhandledIq>();

  /** Counts an iq no route answers. */
  unhandledIq(xmlns: string, type: string, child: string): void {
    const key = `${xmlns}|${type}|${child}`;
    const kind = this.unhandled.get(key);
    if (kind) kind.count++;
    else this.unhandled.set(key, { xmlns, type, child, count: 1 });
  }

  snapshot(): StatsSnapshot {
    const kinds = [...this.unhandled.values()].map((k) => ({ ...k })).sort((a, b) => b.count - a.count);
    return {
      connections: this.connections,
      handshakes: this.handshakes,
      conflicts: this.conflicts,
      messages: this.messages,
      unhandledIqs: kinds.reduce((n, k) => n + k.count, 0),
      unhandledIqKinds: kinds,
      preKeyUploads: this.preKeyUploads,
      retryReceipts: this.retryReceipts,
    };
  }
}
