/**
 * Spaces connection attempts of all sessions of a node: at most `ratePerSecond` starts, so a
 * restart, a failover or a network blip that drops every session at once never turns into a
 * reconnect storm against WhatsApp (or a spike of CPU for handshakes here).
 */
export class ConnectPacer {
  private next = 0;
  private readonly gapMs: number;

  constructor(ratePerSecond: number) {
    this.gapMs = 1000 / Math.max(1, ratePerSecond);
  }

  /** Resolves when it is this caller's turn to connect. */
  async turn(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.gapMs;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}
