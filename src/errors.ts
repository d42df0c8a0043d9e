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
  | 'STORE_FAILED';

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
