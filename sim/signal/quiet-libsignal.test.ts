import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { quietLibsignal } from './quiet-libsignal.js';

describe('quietLibsignal', () => {
  it('takes libsignal’s session dumps off the console and passes other lines through', () => {
    const methods = ['info', 'warn', 'error'] as const;
    const saved = methods.map((m) => console[m]);
    const printed: unknown[][] = [];
    for (const m of methods) console[m] = (...args: unknown[]) => void printed.push(args);
    const logged: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) });
    try {
      quietLibsignal(logger);
      console.info('Closing session:', { privKey: Buffer.alloc(32, 7) });
      console.warn('Decrypted message with closed session.');
      console.warn('simulator line');
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i]));
    }
    expect(printed).toEqual([['simulator line']]);
    expect(logged).toEqual(['Closing session:', 'Decrypted message with closed session.']);
  });
});
