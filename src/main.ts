import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './core/logger.js';
import { startGateway } from './gateway.js';

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kirim: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, { service: 'kirim' });
  const gateway = await startGateway(config, {
    logger,
    onApiKeyCreated(key) {
      process.stdout.write(
        `\n  kirim generated an API key (saved in ${config.dataDir}/api-key; shown only this once):\n\n    ${key}\n\n`,
      );
    },
  });
  logger.info({ url: gateway.url, node: gateway.nodeId, sandbox: gateway.sandbox?.url ?? null }, 'kirim listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: closing sockets and flushing session state');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      await gateway.close();
      logger.info('bye');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`kirim: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
