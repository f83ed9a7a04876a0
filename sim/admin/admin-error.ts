/** A caller mistake (4xx) the admin API answers as `{"error":{"code","message"}}`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
