import { ConflictError } from '@orderplatform/shared/errors';

/** The Idempotency-Key was already used for a request with a different body. */
export class IdempotencyConflictError extends ConflictError {
  constructor(orderId: string) {
    super('ORDER.IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used with a different request body', { orderId });
  }
}
