import { z } from 'zod';
import { AdminError } from './admin-error.js';

/** A phone number: 5–20 digits, as a string (or a JSON number). */
export const phoneSchema = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(/^\d{5,20}$/, 'must be 5–20 digits'));

/** Parses a request body with `schema`; a mismatch is a 400 naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AdminError(400, 'invalid_body', 'the request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.') || 'body';
  const missing = issue.path.length === 1 && (body as Record<string, unknown>)[field] === undefined;
  if (missing) throw new AdminError(400, 'missing_field', `"${field}" is required`);
  const message = issue.code === 'invalid_union' ? 'has the wrong type' : issue.message;
  throw new AdminError(400, 'invalid_field', `"${field}": ${message}`);
}

/** A phone number taken from the path. */
export function parsePhoneParam(value: string): string {
  if (!/^\d{5,20}$/.test(value)) {
    throw new AdminError(400, 'invalid_phone', `"${value}" is not a phone number (5–20 digits)`);
  }
  return value;
}
