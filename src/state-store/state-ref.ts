import type { StateRef } from './port.js';

/** Ids become file names and object keys: letters, digits, `_ . -`, not starting with a dot. */
const ID_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

export class InvalidStateRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateRefError';
  }
}

export const isValidStateId = (id: unknown): id is string => typeof id === 'string' && ID_RE.test(id);

export function assertStateRef(ref: StateRef): void {
  if (!isValidStateId(ref?.workspaceId)) throw new InvalidStateRefError(`invalid workspace id ${JSON.stringify(ref?.workspaceId)}`);
  if (!isValidStateId(ref.sessionId)) throw new InvalidStateRefError(`invalid session id ${JSON.stringify(ref.sessionId)}`);
}

/** `workspaceId/sessionId`: a map key, and how logs and the CLI name a session's state. */
export const refKey = (ref: StateRef) => `${ref.workspaceId}/${ref.sessionId}`;
