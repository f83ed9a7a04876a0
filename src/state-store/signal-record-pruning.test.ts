import { describe, expect, it } from 'vitest';
import { CLOSED_SESSIONS_KEPT, pruneSignalSessionRecord } from './signal-record-pruning.js';

const chain = (type: number, key?: string, messageKeys: Record<string, string> = {}) => ({
  chainKey: key ? { counter: 3, key } : { counter: 3 },
  chainType: type,
  messageKeys,
});

describe('pruneSignalSessionRecord', () => {
  it('keeps live chains, chains with skipped keys and the newest dead one', () => {
    const record = {
      _sessions: {
        base: {
          indexInfo: { closed: -1 },
          _chains: {
            dead1: chain(2),
            skipped: chain(2, undefined, { '4': 'bWs=' }),
            dead2: chain(2),
            sending: chain(1, 'c2s='),
            dead3: chain(2),
            live: chain(2, 'bGl2ZQ=='),
          },
        },
      },
      version: 'v1',
    };
    pruneSignalSessionRecord(record);
    expect(Object.keys(record._sessions.base._chains)).toEqual(['skipped', 'sending', 'dead3', 'live']);
  });

  it('keeps the open session and only the most recently closed ones', () => {
    const sessions: Record<string, unknown> = { open: { indexInfo: { closed: -1 }, _chains: {} } };
    for (let i = 1; i <= 10; i++) sessions[`c${i}`] = { indexInfo: { closed: 1000 + i }, _chains: {} };
    const record = pruneSignalSessionRecord({ _sessions: sessions, version: 'v1' });
    expect(Object.keys(record._sessions).sort()).toEqual(['c10', 'c8', 'c9', 'open'].sort());
    expect(Object.keys(record._sessions)).toHaveLength(1 + CLOSED_SESSIONS_KEPT);
  });

  it('leaves anything else alone', () => {
    for (const v of [null, 'x', 5, [], { _sessions: 'no' }, { _sessions: { a: { _chains: { x: { chainType: 2 } } } } }]) {
      expect(pruneSignalSessionRecord(structuredClone(v))).toEqual(v);
    }
  });
});
