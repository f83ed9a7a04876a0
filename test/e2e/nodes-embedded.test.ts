import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { tempDir } from '../support/temp-dir.js';

/** GET /v1/nodes and drain on the embedded default (no DATABASE_URL): this process is the only node. */
describe('nodes on the embedded default', () => {
  const dir = tempDir('kirim-nodes-');
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway({ KIRIM_DATA_DIR: dir.dir, KIRIM_NODE_ID: 'solo', KIRIM_REGION: 'eu', KIRIM_NODE_CAPACITY: '7' });
  });
  afterAll(async () => {
    await t?.close();
    dir.cleanup();
  });

  it('lists exactly this process, with exactly the contract’s keys', async () => {
    const res = await t.api.get('/v1/nodes');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['nodes']);
    expect(res.body.nodes).toHaveLength(1);
    const [node] = res.body.nodes;
    expect(Object.keys(node).sort()).toEqual(['capacity', 'id', 'lastHeartbeat', 'region', 'sessions', 'status', 'url']);
    expect(node).toMatchObject({ id: 'solo', url: t.gw.url, region: 'eu', status: 'active', sessions: 0, capacity: 7 });
    expect(Math.abs(Date.parse(node.lastHeartbeat) - Date.now())).toBeLessThan(5_000);
  });

  it('drain: 404 for an unknown node, 409 for this one (there is nowhere to move its sessions)', async () => {
    const unknown = await t.api.post('/v1/nodes/elsewhere/drain');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'node_not_found', message: expect.stringContaining('elsewhere') });
    const self = await t.api.post('/v1/nodes/solo/drain');
    expect(self.status).toBe(409);
    expect(self.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('only node') });
    expect((await t.api.get('/v1/nodes')).body.nodes[0].status).toBe('active');
  });
});
