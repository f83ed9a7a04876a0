/**
 * Stored state that cannot be turned back into a session: not an envelope, a version this build
 * does not know, a key that is not in the keyring, a failed authentication (tampered, truncated,
 * wrong key, copied from another session) or a corrupt payload. Never retried; never "fixed" by
 * overwriting — the operator decides.
 */
export class StateDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateDecodeError';
  }
}
