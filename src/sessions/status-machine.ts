import type { SessionStatus } from '../core/events.js';
import type { CloseKind } from './engine.js';

/**
 * The session status machine, as a pure function: (status, input) → next status and what the
 * runtime must do next. The runtime performs the action; tests drive this directly.
 */
export type StatusInput =
  | { type: 'start' }
  | { type: 'qr' }
  | { type: 'pairing_code' }
  | { type: 'paired' }
  | { type: 'open' }
  | { type: 'close'; kind: CloseKind; qrRoundsLeft: boolean }
  | { type: 'stop' }
  | { type: 'logout' }
  | { type: 'fatal' };

export type NextAction =
  | 'connect' // open a new connection now
  | 'reconnect_later' // open a new connection after the backoff delay
  | 'none' // wait for the next input
  | 'disconnect' // close the live connection, keep the state
  | 'forget'; // close and drop the stored auth state (logged out)

export interface Transition {
  status: SessionStatus;
  action: NextAction;
}

const FINAL: ReadonlySet<SessionStatus> = new Set(['stopped', 'logged_out', 'failed']);

export function isFinal(status: SessionStatus): boolean {
  return FINAL.has(status);
}

export function transition(status: SessionStatus, input: StatusInput): Transition {
  switch (input.type) {
    case 'start':
      return { status: 'starting', action: 'connect' };
    case 'stop':
      return { status: 'stopped', action: 'disconnect' };
    case 'logout':
      return { status: 'logged_out', action: 'forget' };
    case 'fatal':
      return { status: 'failed', action: 'disconnect' };
    case 'qr':
      return isFinal(status) ? { status, action: 'none' } : { status: 'qr', action: 'none' };
    case 'pairing_code':
    case 'paired':
      return isFinal(status) ? { status, action: 'none' } : { status: 'pairing', action: 'none' };
    case 'open':
      return isFinal(status) ? { status, action: 'none' } : { status: 'open', action: 'none' };
    case 'close':
      if (isFinal(status)) return { status, action: 'none' };
      switch (input.kind) {
        case 'ended':
          return { status, action: 'none' };
        case 'restart_required':
          return { status: status === 'open' ? 'reconnecting' : 'pairing', action: 'connect' };
        case 'logged_out':
          return { status: 'logged_out', action: 'forget' };
        case 'replaced':
        case 'bad_session':
          return { status: 'failed', action: 'none' };
        case 'qr_timeout':
          return input.qrRoundsLeft ? { status: 'starting', action: 'connect' } : { status: 'stopped', action: 'none' };
        case 'transient':
          return { status: 'reconnecting', action: 'reconnect_later' };
      }
  }
}
