/**
 * Runs a simulator for scripts that need it in its own process: `tsx sim/scripts/child-simulator.ts <dataDir>`
 * prints one JSON line `{url, wsUrl, rootPublicKey}` and closes on SIGTERM.
 */
import { startSimulator } from '../simulator.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: child-simulator.ts <dataDir>\n');
  process.exit(2);
}
const sim = await startSimulator({ dataDir, port: 0 });
process.stdout.write(`${JSON.stringify({ url: sim.url, wsUrl: sim.wsUrl, rootPublicKey: sim.rootPublicKey.toString('hex') })}\n`);
process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
