import { randomBytes } from 'node:crypto';
import { runEventBusContract } from '../core/event-bus.contract.js';
import { silentLogger } from '../core/logger.js';
import { RedisEventBus } from './redis-event-bus.js';
import { REDIS_URL } from '../../test/support/redis.js';

runEventBusContract({
  name: 'redis (two nodes)',
  async create() {
    const channel = `kirim:test:${randomBytes(6).toString('hex')}`;
    const a = await RedisEventBus.connect({ url: REDIS_URL, nodeId: 'a', logger: silentLogger, channel });
    const b = await RedisEventBus.connect({ url: REDIS_URL, nodeId: 'b', logger: silentLogger, channel });
    return { a, b, shared: false, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
  },
});
