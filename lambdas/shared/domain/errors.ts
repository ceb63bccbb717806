// One base error with a stable code; adapters translate their failures into these.

export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'CLOSED'
  | 'LEASE_HELD'
  | 'HOOK_FAILED';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input at a boundary: names the field and the problem. */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    field?: string,
    readonly issues: { field: string; message: string }[] = field ? [{ field, message }] : [],
  ) {
    super('VALIDATION', field ? `${field}: ${message}` : message, field);
  }
}

export class NotFoundError extends DomainError {
  /** `field`: what named the missing thing, when a client sent it (a path parameter such as `id`). */
  constructor(what: string, id: string, field?: string) {
    super('NOT_FOUND', `${what} ${id} not found`, field);
  }
}

/** A conditional write lost a race or met an unexpected version. */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/**
 * A change the directory (or a connected source) refused: the campaign records it on the entry
 * (FAILED.APPLIED.CHANGES) and later runs retry it. Any other failure of the call (a throttled or
 * unavailable table) is not a refusal: the run fails, and the next one applies what is left.
 */
export class RefusedChangeError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** An action on an entry or campaign that is no longer open. */
export class ClosedError extends DomainError {
  constructor(message: string) {
    super('CLOSED', message);
  }
}
