import type { AnyEvent, EventBus, EventListener, EventOrigin } from './events.js';
import type { Logger } from './logger.js';

/** In-process fan-out; also the local half of the cluster (Redis) bus. */
export class LocalEventBus implements EventBus {
  private readonly listeners = new Set<EventListener>();
  constructor(private readonly logger?: Logger) {}

  publish(event: AnyEvent): void {
    this.deliver(event, 'local');
  }

  deliver(event: AnyEvent, origin: EventOrigin): void {
    for (const listener of this.listeners) {
      try {
        listener(event, origin);
      } catch (err) {
        this.logger?.error({ err, type: event.type }, 'event listener failed');
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
