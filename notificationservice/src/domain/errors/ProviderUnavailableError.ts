/**
 * A provider could not take a message right now (outage, throttling, timeout). Transient by
 * contract: it is not a DomainError, so the reliable consumer retries the event with backoff.
 */
export class ProviderUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}
