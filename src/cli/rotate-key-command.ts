import { keyringSealer, refKey, rotateStateKey } from '../state-store/index.js';
import { WebhookRepo } from '../webhooks/index.js';
import type { CliContext } from './cli-context.js';
import { parseArgs } from './parse-args.js';
import { progressPrinter } from './progress.js';

export const rotateKeyUsage = [
  'state rotate-key',
  're-encrypt every stored session and webhook secret under KIRIM_STATE_KEY (reads KIRIM_STATE_KEY_PREVIOUS too)',
] as const;

/** `state rotate-key`: every envelope of the configured store under the current key. */
export async function rotateKeyCommand(argv: string[], ctx: CliContext): Promise<number> {
  parseArgs(argv, {});
  const { stdout, stderr } = ctx.deps;
  const store = await ctx.openStore();
  const keyring = ctx.keyring;
  stdout.write(`rotate-key: re-encrypting ${store.location} under key ${keyring.current.id.toString('hex')}\n`);
  const tick = progressPrinter(stdout, 'rotate-key', ctx.deps.now);
  const r = await rotateStateKey(store, keyring, (p) => {
    if (p.outcome === 'failed') stderr.write(`rotate-key: ${refKey(p.ref)} failed: ${p.error}\n`);
    tick(p.done, p.total);
  });
  stdout.write(`rotate-key: ${r.rotated} rotated, ${r.current} already under the current key, ${r.gone} gone, ${r.failed.length} failed\n`);
  // webhook signing secrets are sealed under the same key (the gateway also does this when it starts)
  let unopenable = 0;
  const webhooks = new WebhookRepo((await ctx.database()).db, keyringSealer(keyring, 'webhook secret'), (id, err) => {
    unopenable++;
    stderr.write(`rotate-key: webhook ${id} failed: ${(err as Error).message}\n`);
  });
  const resealed = await webhooks.resealStale();
  stdout.write(`rotate-key: ${resealed} webhook secrets sealed under the current key, ${unopenable} failed\n`);
  return r.failed.length > 0 || unopenable > 0 ? 1 : 0;
}
