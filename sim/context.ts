import type { Logger } from 'pino';
import type { DeviceDelivery } from './connection/device-delivery.js';
import type { DeviceRegistry } from './connection/device-registry.js';
import type { SimStats } from './connection/stats.js';
import type { PendingRegistrations } from './pairing/pending-registrations.js';
import type { World } from './world/world.js';

/** What stanza handlers, pairing and the admin API share: the world and the live connections. */
export interface SimContext {
  world: World;
  online: DeviceRegistry;
  delivery: DeviceDelivery;
  registrations: PendingRegistrations;
  stats: SimStats;
  logger: Logger;
  /** the public key the certificate chain is signed with */
  rootPublicKey: Buffer;
}
