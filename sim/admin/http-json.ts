import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminError } from './admin-error.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Oversized bodies up to this size are read and discarded, so the client gets its 413 instead of a reset. */
const MAX_DRAINED_BYTES = 64 * MAX_BODY_BYTES;

/** Reads a JSON body of at most 1 MB; an empty body reads as `{}`. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_DRAINED_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_DRAINED_BYTES) throw tooLarge();
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw tooLarge();
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AdminError(400, 'bad_json', 'the request body is not valid JSON');
  }
}

function tooLarge(): AdminError {
  return new AdminError(413, 'payload_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: AdminError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}
