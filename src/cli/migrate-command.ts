import { copyStates, FsStateStore, refKey, spillStateRoot } from '../state-store/index.js';
import type { CliContext } from './cli-context.js';
import { parseArgs, UsageError } from './parse-args.js';
import { progressPrinter } from './progress.js';

export const migrateUsage = [
  'state migrate --to <store> [--from <store>] [--delete-source]',
  'copy every session between stores: fs, fs:<dir>, db, s3://bucket/prefix (default --from: KIRIM_STATE_STORE)',
] as const;

/** `state migrate`: copy (re-encrypted, verified) every session; the source stays unless --delete-source. */
export async function migrateCommand(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, { values: ['to', 'from'], switches: ['delete-source'] });
  const toSpec = args.values.get('to');
  if (!toSpec) throw new UsageError('missing --to <fs|db|s3://bucket/prefix>');
  const { stdout, stderr } = ctx.deps;
  const from = await ctx.openStore(args.values.get('from'));
  const to = await ctx.openStore(toSpec);
  const keyring = ctx.keyring;
  if (from.location === to.location) throw new UsageError(`--from and --to are the same store (${from.location})`);
  const deleteSource = args.switches.has('delete-source');
  stdout.write(`migrate: ${from.location} → ${to.location}${deleteSource ? ' (deleting each source after its copy is verified)' : ''}\n`);
  const tick = progressPrinter(stdout, 'migrate', ctx.deps.now);
  const r = await copyStates({
    from,
    to,
    keyring,
    deleteSource,
    onProgress: (p) => {
      if (p.outcome === 'failed') stderr.write(`migrate: ${refKey(p.ref)} failed: ${p.error}\n`);
      tick(p.done, p.total);
    },
  });
  stdout.write(`migrate: ${r.copied} of ${r.total} copied and verified, ${r.deleted} source copies deleted, ${r.failed.length} failed\n`);
  // state a shutdown during an outage spilled locally is in no store yet (state-spill.ts)
  const spillDir = spillStateRoot(ctx.config.dataDir);
  let spilled = 0;
  for await (const _ of new FsStateStore(spillDir).list()) spilled++;
  if (spilled > 0) {
    stdout.write(`migrate: note: newer state of ${spilled} session(s) is spilled in ${spillDir}, not in any store yet; a gateway started on this data dir writes it to its store\n`);
  }
  return r.failed.length > 0 ? 1 : 0;
}
