import type { BinaryNode } from '../binary/node-codec.js';
import { SERVER_JID } from '../binary/jid.js';

/** `<iq type="result">` answering `request` (same id). */
export function iqResult(request: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return { tag: 'iq', attrs: { from: SERVER_JID, type: 'result', id: request.attrs.id ?? '' }, content };
}

/** `<iq type="error"><error code text/></iq>`; Baileys' `query()` throws on it. */
export function iqError(request: BinaryNode, code: number, text: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'error', id: request.attrs.id ?? '' },
    content: [{ tag: 'error', attrs: { code: String(code), text } }],
  };
}

/** Thrown by an iq handler to answer with an `<error>` instead of closing the connection. */
export class IqError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(`${code} ${text}`);
  }
}
