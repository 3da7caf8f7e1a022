/**
 * Thrown by an event handler when retrying cannot help (the event contradicts the state, a
 * reference can never resolve): the reliable consumer sends the event to the DLT at once instead
 * of retrying. Every other error counts as transient and is retried with backoff first.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}
