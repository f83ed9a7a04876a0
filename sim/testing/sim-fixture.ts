import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startSimulator, type Simulator } from '../simulator.js';
import { AdminClient } from './admin-client.js';
import { TestClient } from './baileys-client.js';
import { tempDataDir } from './temp-data-dir.js';

export interface SimFixture {
  readonly sim: Simulator;
  readonly admin: AdminClient;
  /** a new (unlinked) Baileys client, ended after the test */
  client(): TestClient;
  /** ends `client` after the test */
  track(client: TestClient): TestClient;
  /** closes the simulator and starts a new one on the same data dir (clients must `useSimulator` it) */
  restart(): Promise<Simulator>;
}

/**
 * A simulator on its own temp data dir and ephemeral port, for each test (`each`) or for the whole
 * file (`all`), plus the Baileys clients the tests create; everything is closed and removed afterwards.
 */
export function useSimulator(scope: 'each' | 'all' = 'each'): SimFixture {
  let dir: ReturnType<typeof tempDataDir>;
  let sim: Simulator;
  let admin: AdminClient;
  const clients: TestClient[] = [];
  const track = (client: TestClient): TestClient => (clients.push(client), client);

  const start = async (): Promise<void> => {
    dir = tempDataDir();
    sim = await startSimulator({ dataDir: dir.path, port: 0 });
    admin = new AdminClient(sim.url);
  };
  const stop = async (): Promise<void> => {
    await Promise.all(clients.splice(0).map((c) => c.end()));
    await sim.close();
    dir.remove();
  };
  if (scope === 'each') {
    beforeEach(start);
    afterEach(stop);
  } else {
    beforeAll(start);
    afterAll(stop);
  }

  return {
    get sim() {
      return sim;
    },
    get admin() {
      return admin;
    },
    client: () => track(new TestClient(sim)),
    track,
    async restart() {
      await sim.close();
      sim = await startSimulator({ dataDir: dir.path, port: 0 });
      admin = new AdminClient(sim.url);
      return sim;
    },
  };
}
