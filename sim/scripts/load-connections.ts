/**
 * Load check (not a test): N linked devices log in at once and stay connected. The simulator runs in a
 * child process, so its memory is measured alone; devices are created directly in its world, and each
 * client is a bare Noise + login (no Baileys socket, no prekey upload).
 * Run: `npx tsx sim/scripts/load-connections.ts [N=1000] [concurrency=50]`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { Browsers, DEFAULT_CONNECTION_CONFIG, encodeBinaryNode, generateLoginNode, makeNoiseHandler, proto, WA_CERT_DETAILS, type BinaryNode } from 'baileys';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { AdminClient } from '../testing/admin-client.js';
import { tempDataDir } from '../testing/temp-data-dir.js';
import { NOISE_WA_HEADER } from '../transport/frame-codec.js';
import { generateKeyPair, generateSignedPreKey, type KeyPair } from '../world/key-pair.js';
import { World } from '../world/world.js';

const count = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 50);
const logger = pino({ level: 'silent' });
const dir = tempDataDir();

// 1. N accounts with one linked device each, written straight into the world
const devices: { phone: string; noise: KeyPair }[] = [];
const world = World.open(dir.path);
const identity = generateKeyPair();
const signedPreKey = generateSignedPreKey(identity, 1);
world.transaction(() => {
  for (let i = 0; i < count; i++) {
    const phone = String(15_560_000_000 + i);
    const noise = generateKeyPair();
    world.users.ensureAccount(phone);
    world.users.allocateDevice(phone);
    world.devices.insert({
      phone,
      deviceId: 1,
      noisePub: noise.public,
      identityPub: identity.public,
      registrationId: 1000 + i,
      signedPreKey: { keyId: 1, publicKey: signedPreKey.keyPair.public, signature: signedPreKey.signature },
      keyIndex: 1,
      signedIdentity: Buffer.alloc(0),
      platform: 'CHROME',
    });
    devices.push({ phone, noise });
  }
});
world.close();

// 2. the simulator alone in a child process
const child = spawn(process.execPath, ['--import', 'tsx', 'sim/scripts/child-simulator.ts', dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
const started = await new Promise<{ url: string; wsUrl: string; rootPublicKey: string }>((resolve) => {
  createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
});
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(started.rootPublicKey, 'hex');
const admin = new AdminClient(started.url);
const health = () => admin.ok<{ cpuSeconds: number; memory: { rss: number; heapUsed: number; external: number } }>('GET', '/admin/health');
const before = await health();

// 3. log every device in and keep it connected
const config = { ...DEFAULT_CONNECTION_CONFIG, browser: Browsers.ubuntu('Chrome') };
const sockets: WebSocket[] = [];
const latencies: number[] = [];
async function login(device: { phone: string; noise: KeyPair }): Promise<void> {
  const ephemeral = generateKeyPair();
  const noise = makeNoiseHandler({ keyPair: ephemeral, NOISE_HEADER: NOISE_WA_HEADER, logger, routingInfo: undefined });
  const ws = new WebSocket(started.wsUrl);
  sockets.push(ws);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => ws.send(noise.encodeFrame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish())));
    ws.on('message', (data: Buffer) => {
      void noise.decodeFrame(data, async (frame) => {
        if (frame instanceof Uint8Array) {
          const keyEnc = noise.processHandshake(proto.HandshakeMessage.decode(frame), device.noise);
          const payload = noise.encrypt(proto.ClientPayload.encode(generateLoginNode(`${device.phone}:1@s.whatsapp.net`, config)).finish());
          ws.send(noise.encodeFrame(proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload } }).finish()));
          await noise.finishInit();
          return;
        }
        const node = frame as BinaryNode;
        if (node.tag === 'failure') reject(new Error(`login refused for ${device.phone}`));
        if (node.tag === 'message' && node.attrs.category === 'peer') {
          // confirm the phone's history hand-off, as Baileys does, so later logins skip it
          const receipt = { tag: 'receipt', attrs: { id: node.attrs.id, to: `${device.phone}@s.whatsapp.net`, type: 'hist_sync' } };
          ws.send(noise.encodeFrame(encodeBinaryNode(receipt)));
        }
        if (node.tag === 'ib') {
          latencies.push(performance.now() - t0);
          resolve();
        }
      });
    });
  });
}

async function round(name: string): Promise<void> {
  latencies.length = 0;
  const cpuBefore = (await health()).cpuSeconds;
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < devices.length) await login(devices[next++]);
    }),
  );
  const elapsed = performance.now() - t;
  const sorted = [...latencies].sort((a, b) => a - b);
  const cpu = (await health()).cpuSeconds - cpuBefore;
  console.log(`${name}: ${count} devices logged in (${concurrency} at a time) in ${(elapsed / 1000).toFixed(1)} s — ${(count / (elapsed / 1000)).toFixed(0)} logins/s (client-bound)`);
  console.log(`  login → <ib offline>: median ${sorted[Math.floor(count / 2)].toFixed(1)} ms, p95 ${sorted[Math.floor(count * 0.95)].toFixed(1)} ms`);
  console.log(`  simulator CPU per login: ${((cpu * 1000) / count).toFixed(2)} ms`);
}

await round('first logins (with the history hand-off)');
await new Promise((resolve) => setTimeout(resolve, 2000));
const after = await health();
const perConnection = (key: 'rss' | 'heapUsed' | 'external') => ((after.memory[key] - before.memory[key]) / count / 1024).toFixed(1);
console.log(`simulator memory per open connection: heap +${perConnection('heapUsed')} KiB, external +${perConnection('external')} KiB, rss +${perConnection('rss')} KiB`);
for (const ws of sockets.splice(0)) ws.terminate();
await round('second logins (reconnect storm)');
console.log('stats', await admin.stats());

for (const ws of sockets) ws.terminate();
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
dir.remove();
