// The one error root: every failure scriptwarden reports carries a stable code.

export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'BROWSER_NOT_FOUND'
  | 'BROWSER_LAUNCH_FAILED'
  | 'BROWSER_CRASHED'
  | 'PAGE_TIMEOUT'
  | 'PAGE_HTTP_ERROR'
  | 'PAGE_NETWORK_ERROR'
  | 'PAGE_CRASHED'
  | 'PAGE_INCOMPLETE'
  | 'PAGE_NAVIGATED_AWAY'
  | 'JOURNEY_FAILED'
  | 'CAPTURE_FAILED'
  | 'RESOURCE_FETCH_FAILED'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'STORE_INVALID'
  | 'STORE_FAILED'
  | 'SCAN_DUPLICATE';

/** The exit codes every command uses (documented in the README's table). */
export const EXIT = { ok: 0, newAlerts: 1, usage: 2, targetsFailed: 3, storeFailed: 4, internal: 70 } as const;

/**
 * What each code means to whoever called: the command's exit code and the dashboard's HTTP status. One table, so the
 * CLI, the dashboard and the README cannot drift apart.
 */
export const ERROR_CATALOGUE: Record<ErrorCode, { exit: number; http: number }> = {
  // Usage, configuration or environment: the caller can fix it and run again.
  USAGE: { exit: EXIT.usage, http: 400 },
  CONFIG_NOT_FOUND: { exit: EXIT.usage, http: 500 },
  CONFIG_INVALID: { exit: EXIT.usage, http: 500 },
  BROWSER_NOT_FOUND: { exit: EXIT.usage, http: 503 },
  BROWSER_LAUNCH_FAILED: { exit: EXIT.usage, http: 503 },
  NOT_FOUND: { exit: EXIT.usage, http: 404 },
  UNAUTHORIZED: { exit: EXIT.usage, http: 401 },
  FORBIDDEN: { exit: EXIT.usage, http: 403 },
  // The file `database:` names cannot be a scriptwarden database (not one, damaged, cannot be opened): configuration.
  STORE_INVALID: { exit: EXIT.usage, http: 503 },
  // A page or file could not be loaded or fetched: the target's (or the network's) failure, not the caller's.
  BROWSER_CRASHED: { exit: EXIT.targetsFailed, http: 502 },
  PAGE_TIMEOUT: { exit: EXIT.targetsFailed, http: 504 },
  PAGE_HTTP_ERROR: { exit: EXIT.targetsFailed, http: 502 },
  PAGE_NETWORK_ERROR: { exit: EXIT.targetsFailed, http: 502 },
  PAGE_CRASHED: { exit: EXIT.targetsFailed, http: 502 },
  PAGE_INCOMPLETE: { exit: EXIT.targetsFailed, http: 502 },
  PAGE_NAVIGATED_AWAY: { exit: EXIT.targetsFailed, http: 502 },
  JOURNEY_FAILED: { exit: EXIT.targetsFailed, http: 502 },
  RESOURCE_FETCH_FAILED: { exit: EXIT.targetsFailed, http: 502 },
  // The database could not be written (locked past the wait, a full disk): nothing was half-written; run again.
  STORE_FAILED: { exit: EXIT.storeFailed, http: 503 },
  // A scheduled slot another worker already recorded (a redelivered job): refused at commit, recorded once.
  SCAN_DUPLICATE: { exit: EXIT.storeFailed, http: 409 },
  // A fault inside scriptwarden.
  CAPTURE_FAILED: { exit: EXIT.internal, http: 500 },
};

/** Why a capture failed: the codes a PageCapture's outcome carries. */
export type CaptureFailureCode =
  | 'BROWSER_CRASHED' | 'PAGE_TIMEOUT' | 'PAGE_HTTP_ERROR' | 'PAGE_NETWORK_ERROR' | 'PAGE_CRASHED' | 'PAGE_INCOMPLETE'
  | 'PAGE_NAVIGATED_AWAY' | 'JOURNEY_FAILED' | 'CAPTURE_FAILED' | 'RESOURCE_FETCH_FAILED';

export class ScriptwardenError extends Error {
  readonly code: ErrorCode;
  override readonly cause?: unknown;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message);
    this.name = 'ScriptwardenError';
    this.code = code;
    this.cause = options.cause;
  }
}

export function isScriptwardenError(error: unknown): error is ScriptwardenError {
  return error instanceof ScriptwardenError;
}

/** A one-line message for any thrown value, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

/** The exit code a command ends with for an error: the catalogue's for scriptwarden's own, else an internal error. */
export function exitCodeOf(error: unknown): number {
  return isScriptwardenError(error) ? ERROR_CATALOGUE[error.code].exit : EXIT.internal;
}

/** The HTTP status the dashboard answers an error with. */
export function httpStatusOf(error: unknown): number {
  return isScriptwardenError(error) ? ERROR_CATALOGUE[error.code].http : 500;
}
