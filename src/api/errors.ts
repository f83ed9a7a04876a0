import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, ERROR_STATUS, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** The one place where errors become HTTP answers: `{error: {code, message}}`. */
export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

export function sendError(c: Context, code: ErrorCode, message: string, details?: unknown) {
  return c.json(errorBody(code, message, details), ERROR_STATUS[code] as ContentfulStatusCode);
}

export function onError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) return sendError(c, err.code, err.message, err.details);
    if (err instanceof HTTPException) {
      const status = err.status;
      if (status === 413) return sendError(c, 'payload_too_large', 'request body is too large');
      if (status === 400 && /json/i.test(err.message)) return sendError(c, 'invalid_json', 'request body is not valid JSON');
      if (status === 401) return sendError(c, 'unauthorized', err.message || 'missing or invalid API key');
      if (status < 500) return sendError(c, 'bad_request', err.message || 'bad request');
    }
    if (err instanceof SyntaxError && /JSON/.test(err.message)) return sendError(c, 'invalid_json', 'request body is not valid JSON');
    logger.error({ err, path: c.req.path, method: c.req.method }, 'unhandled error');
    return sendError(c, 'internal', 'internal error; it has been logged');
  };
}

/** zod-openapi's validation hook: a failed schema is a 400 naming the field. */
export function validationHook(result: { success: boolean; error?: unknown; target?: string }, c: Context) {
  if (result.success) return;
  const issues = (result.error as { issues?: Array<{ path: PropertyKey[]; message: string }> })?.issues ?? [];
  const first = issues[0];
  const where = first?.path?.length ? first.path.map(String).join('.') : result.target === 'json' ? 'body' : (result.target ?? 'request');
  const message = first ? `${where}: ${first.message}` : 'request is invalid';
  return sendError(c, 'validation_failed', message, issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}
