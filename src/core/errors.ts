/**
 * The closed set of error codes kirim answers with. Each maps to exactly one HTTP status
 * (in api/errors.ts); domain code throws AppError and never thinks about HTTP.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  private_url_refused: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  session_not_found: 404,
  message_not_found: 404,
  webhook_not_found: 404,
  delivery_not_found: 404,
  node_not_found: 404,
  conflict: 409,
  session_not_open: 409,
  session_busy: 409,
  not_waiting_for_qr: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  queue_full: 429,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id: string, code: ErrorCode = 'not_found') =>
  new AppError(code, `${what} '${id}' was not found`);

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
