import { pino } from 'pino';
import { loadSimConfig, SimConfigError } from './config.js';
import { startSimulator } from './simulator.js';

/** `npm run sim`: the simulator alone, until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadSimConfig();
  } catch (err) {
    if (!(err instanceof SimConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const logger = pino({ level: config.logLevel, base: { service: 'kirim-sim' } });
  const sim = await startSimulator({ host: config.host, port: config.port, dataDir: config.dataDir, logger });
  logger.info(
    { url: sim.url, wsUrl: sim.wsUrl, dataDir: config.dataDir, rootPublicKey: sim.rootPublicKey.toString('hex') },
    `WhatsApp simulator listening on ${sim.url}`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
