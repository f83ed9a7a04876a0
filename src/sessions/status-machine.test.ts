import { describe, expect, it } from 'vitest';
import type { SessionStatus } from '../core/events.js';
import { type StatusInput, transition } from './status-machine.js';

const close = (kind: Extract<StatusInput, { type: 'close' }>['kind'], qrRoundsLeft = true): StatusInput => ({ type: 'close', kind, qrRoundsLeft });

describe('session status machine', () => {
  it('walks the QR pairing path: starting → qr → pairing → (515) pairing+connect → open', () => {
    let s: SessionStatus = 'stopped';
    const steps: Array<[StatusInput, SessionStatus, string]> = [
      [{ type: 'start' }, 'starting', 'connect'],
      [{ type: 'qr' }, 'qr', 'none'],
      [{ type: 'qr' }, 'qr', 'none'],
      [{ type: 'paired' }, 'pairing', 'none'],
      [close('restart_required'), 'pairing', 'connect'],
      [{ type: 'open' }, 'open', 'none'],
    ];
    for (const [input, status, action] of steps) {
      const t = transition(s, input);
      expect([t.status, t.action], JSON.stringify(input)).toEqual([status, action]);
      s = t.status;
    }
  });

  it('reconnects with backoff on transient closes, and a restart request while open reconnects at once', () => {
    expect(transition('open', close('transient'))).toEqual({ status: 'reconnecting', action: 'reconnect_later' });
    expect(transition('reconnecting', close('transient'))).toEqual({ status: 'reconnecting', action: 'reconnect_later' });
    expect(transition('reconnecting', { type: 'open' })).toEqual({ status: 'open', action: 'none' });
    expect(transition('open', close('restart_required'))).toEqual({ status: 'reconnecting', action: 'connect' });
  });

  it('logged_out is final: it forgets the state, and later closes or QR events do not revive it', () => {
    expect(transition('open', close('logged_out'))).toEqual({ status: 'logged_out', action: 'forget' });
    expect(transition('logged_out', close('transient'))).toEqual({ status: 'logged_out', action: 'none' });
    expect(transition('logged_out', { type: 'qr' })).toEqual({ status: 'logged_out', action: 'none' });
    expect(transition('logged_out', { type: 'open' })).toEqual({ status: 'logged_out', action: 'none' });
    // only an explicit start pairs again
    expect(transition('logged_out', { type: 'start' })).toEqual({ status: 'starting', action: 'connect' });
  });

  it('a replaced or rejected connection fails without reconnecting (no ping-pong between two clients)', () => {
    expect(transition('open', close('replaced'))).toEqual({ status: 'failed', action: 'none' });
    expect(transition('open', close('bad_session'))).toEqual({ status: 'failed', action: 'none' });
  });

  it('QR timeout starts a new round while rounds are left, then stops', () => {
    expect(transition('qr', close('qr_timeout', true))).toEqual({ status: 'starting', action: 'connect' });
    expect(transition('qr', close('qr_timeout', false))).toEqual({ status: 'stopped', action: 'none' });
  });

  it('stop and logout work from any state; our own close changes nothing', () => {
    for (const s of ['starting', 'qr', 'pairing', 'open', 'reconnecting'] as SessionStatus[]) {
      expect(transition(s, { type: 'stop' })).toEqual({ status: 'stopped', action: 'disconnect' });
      expect(transition(s, { type: 'logout' })).toEqual({ status: 'logged_out', action: 'forget' });
      expect(transition(s, close('ended'))).toEqual({ status: s, action: 'none' });
    }
    expect(transition('stopped', close('transient'))).toEqual({ status: 'stopped', action: 'none' });
  });
});
