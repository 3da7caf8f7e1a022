import { ConflictError } from '@orderplatform/shared/errors';

/** The order kept changing under a transition; the caller may read it again and retry. */
export class ConcurrentModificationError extends ConflictError {
  constructor(orderId: string) {
    super('ORDER.CONCURRENT_MODIFICATION', 'The order was changed concurrently; read it again and retry', { orderId });
  }
}
