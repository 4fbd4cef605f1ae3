// Errors as they cross a face: a code every face maps the same way, and a message for people.

export const ERROR_CODES = [
  'invalid_input', // the request does not match the contract, or names a bad path
  'not_found',
  'conflict', // the request contradicts the stored state (e.g. a newer database)
  'rule_violation', // a checklist or policy rule refuses the change
  'io_error', // a file could not be read or written
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  /** Validation issues or other structured context. */
  details?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
  toShape(): ApiErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorShape };

/** Status codes the loopback host answers with for each error code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  rule_violation: 422,
  io_error: 422,
  cancelled: 499,
  internal: 500,
};
