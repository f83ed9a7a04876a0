import { ConfigError } from '../config/index.js';
import { silentLogger } from '../core/logger.js';
import { KeyringError, StateDecodeError } from '../state-store/index.js';
import { exportCommand, exportUsage, importCommand, importUsage } from './bundle-commands.js';
import { CliContext, type CliDeps } from './cli-context.js';
import { migrateCommand, migrateUsage } from './migrate-command.js';
import { UsageError } from './parse-args.js';
import { rotateKeyCommand, rotateKeyUsage } from './rotate-key-command.js';

export type { CliDeps };

type Command = (argv: string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  'state rotate-key': rotateKeyCommand,
  'state migrate': migrateCommand,
  'state export': exportCommand,
  'state import': importCommand,
};

const USAGE = [
  'usage: npm run kirim -- <command>   (configuration from the environment, as for the gateway)',
  '',
  ...[rotateKeyUsage, migrateUsage, exportUsage, importUsage].map(([cmd, what]) => `  ${cmd}\n      ${what}`),
  '',
  'Exit status: 0 done, 1 some sessions failed, 2 bad arguments or configuration.',
  '',
].join('\n');

/**
 * The kirim CLI as a function (src/cli.ts runs it on process.argv): returns the exit status and
 * prints one-line errors, never a stack trace.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [group, name, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    deps.stdout.write(USAGE);
    return group ? 0 : 2;
  }
  const command = COMMANDS[`${group} ${name ?? ''}`];
  if (!command) {
    deps.stderr.write(`error: unknown command '${[group, name].filter(Boolean).join(' ')}' (npm run kirim -- help)\n`);
    return 2;
  }
  let ctx: CliContext | undefined;
  try {
    ctx = new CliContext(deps, deps.logger ?? silentLogger);
    return await command([...rest], ctx);
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof ConfigError || err instanceof KeyringError;
    const known = usage || err instanceof StateDecodeError;
    deps.stderr.write(`error: ${known ? (err as Error).message : describe(err)}\n`);
    return usage ? 2 : 1;
  } finally {
    await ctx?.close();
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.message}${err.name && err.name !== 'Error' ? ` (${err.name})` : ''}`;
  return String(err);
}
