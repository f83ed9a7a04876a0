import type { Logger } from 'pino';

/**
 * libsignal prints its session bookkeeping to the console with whole session records attached
 * ("Closing session: SessionEntry { … privKey … }"), once per session opened or closed: noise in
 * the simulator's output. Those lines go to `logger` at debug, message only; every other console
 * call passes through.
 */
const LIBSIGNAL = /^(Closing session:|Opening session:|Removing old closed session:|Session already (closed|open)|Closing open session in favor|Decrypted message with closed session|Migrating session to:|Failed to decrypt message with any known session|Session error:)/;
let sink: Logger | undefined;

export function quietLibsignal(logger: Logger): void {
  const first = sink === undefined;
  sink = logger;
  if (!first) return;
  for (const method of ['info', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && LIBSIGNAL.test(args[0])) sink!.debug({ lib: 'libsignal' }, args[0].split('\n')[0]);
      else original(...args);
    };
  }
}
