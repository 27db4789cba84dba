// The errors your functions throw, so callers (and the tests) can tell business outcomes apart.
// This file is given: use these classes, do not change them.

/** The input is malformed or not allowed: a bad amount, an unknown sort column, a bad cursor. */
export class ValidationError extends Error {
  override name = "ValidationError";
}

/** An account named in the request does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The debited account does not hold enough money; nothing was written. */
export class InsufficientFundsError extends Error {
  override name = "InsufficientFundsError";
}

/** A transfer reference was already used for a different transfer. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** A query ran past its time budget and was cancelled by Postgres. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}
