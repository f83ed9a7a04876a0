export { SessionService, type SessionServiceDeps } from './session-service.js';
export { SessionRepo, toView, type SessionRow, type SessionView } from './session-repo.js';
export { SessionRuntime, type SessionTraffic, type QrCode } from './session-runtime.js';
export type * from './engine.js';
export { transition, isFinal } from './status-machine.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-policy.js';
export type { RestoreProgress, RestoreOptions } from './restore.js';
