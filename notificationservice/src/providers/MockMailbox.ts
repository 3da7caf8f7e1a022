import type { Channel } from '../domain/Channel.js';

/** A message as the mock provider "delivered" it. */
export interface MockDelivery {
  channel: Channel;
  notificationId: string;
  to: string;
  subject?: string;
  body: string;
  deliveredAt: Date;
}

/**
 * The mock providers' own side (what a real gateway keeps server-side): every accepted message, once
 * per idempotency key. It outlives a restart of this service, like a real provider's key store, so a
 * re-send after a crash is recognised. Tests read it to count real deliveries.
 */
export interface MockMailbox {
  /** Stores the message unless one with the same (channel, notificationId) is there; true when it is new. */
  deliverOnce(delivery: MockDelivery): Promise<boolean>;
  /** `deliverOnce` for several messages in one write: per message (same index) true when it is new. */
  deliverMany(deliveries: readonly MockDelivery[]): Promise<boolean[]>;
}

/** Where a mock provider draws its failures from; injectable so tests are deterministic. */
export type RandomSource = () => number;
