import type { Channel } from '../../domain/Channel.js';

export interface OutgoingMessage {
  /** The notification record's id: the provider's idempotency key, so a re-send after a crash is not delivered twice. */
  notificationId: string;
  to: string;
  subject?: string;
  body: string;
}

/**
 * An email or SMS gateway. `send` resolves once the provider has accepted the message; it throws
 * ProviderUnavailableError (or any error) when it did not, and the send is retried later.
 */
export interface NotificationProvider {
  readonly channel: Channel;
  send(message: OutgoingMessage): Promise<void>;
  /**
   * `send` for several messages at once (one wave's): per message (same index) undefined when the
   * provider accepted it, else the error; resolves even when some (or all) were refused.
   */
  sendMany(messages: readonly OutgoingMessage[]): Promise<unknown[]>;
}
