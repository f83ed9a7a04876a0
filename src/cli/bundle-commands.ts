import fs from 'node:fs/promises';
import { exportBundle, importBundle, isValidStateId, refKey, type StateRef, type StateStore } from '../state-store/index.js';
import type { CliContext } from './cli-context.js';
import { parseArgs, UsageError } from './parse-args.js';

export const exportUsage = [
  'state export <sessionId> [--out <file>] [--force]',
  'write one session as a bundle, still encrypted with the state key (default file: <sessionId>.kirim-state)',
] as const;
export const importUsage = ['state import <file> [--force]', 'store a bundle from state export; needs the same state key'] as const;

/** `state export`: the session's state as a portable bundle, still encrypted with the state key. */
export async function exportCommand(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, { values: ['out'], switches: ['force'], positional: ['<sessionId>'] });
  const store = await ctx.openStore();
  const keyring = ctx.keyring;
  const ref = await findSession(store, args.positional[0]);
  const bundle = await exportBundle(store, ref, keyring);
  const out = ctx.resolve(args.values.get('out') ?? `${ref.sessionId}.kirim-state`);
  try {
    await fs.writeFile(out, bundle, { mode: 0o600, flag: args.switches.has('force') ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${out} exists (use --force to replace it)`);
    throw err;
  }
  ctx.deps.stdout.write(`export: ${refKey(ref)} → ${out} (${bundle.length} bytes, encrypted with state key ${keyring.current.id.toString('hex')})\n`);
  return 0;
}

/** `state import`: a bundle into the configured store, after checking this keyring opens it. */
export async function importCommand(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, { switches: ['force'], positional: ['<file>'] });
  const file = ctx.resolve(args.positional[0]);
  let bundle: Buffer;
  try {
    bundle = await fs.readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const store = await ctx.openStore();
  const keyring = ctx.keyring;
  const ref = await importBundle(store, bundle, keyring, { overwrite: args.switches.has('force') });
  ctx.deps.stdout.write(`import: ${refKey(ref)} stored in ${store.location}\n`);
  return 0;
}

/** `sessionId` or `workspaceId/sessionId`. */
async function findSession(store: StateStore, arg: string): Promise<StateRef> {
  const parts = arg.split('/');
  if (parts.length === 2 && isValidStateId(parts[0]) && isValidStateId(parts[1])) return { workspaceId: parts[0], sessionId: parts[1] };
  if (parts.length !== 1 || !isValidStateId(arg)) throw new UsageError(`'${arg}' is not a session id`);
  const found: StateRef[] = [];
  for await (const ref of store.list()) if (ref.sessionId === arg) found.push(ref);
  if (found.length === 0) throw new UsageError(`session ${arg} has no stored state in ${store.location}`);
  if (found.length > 1) throw new UsageError(`session ${arg} exists in several workspaces; name it as <workspaceId>/${arg}`);
  return found[0];
}
