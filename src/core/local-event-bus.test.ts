import { runEventBusContract } from './event-bus.contract.js';
import { LocalEventBus } from './local-event-bus.js';

runEventBusContract({
  name: 'local (in-process)',
  async create() {
    const bus = new LocalEventBus();
    return { a: bus, b: bus, shared: true, cleanup: () => bus.close() };
  },
});
