import type { Channel } from './Channel.js';

/** How a customer wants to be reached. Addresses here win over those carried in events. */
export interface ContactPreferences {
  customerId: string;
  email?: string;
  phone?: string;
  /** Non-empty, no duplicates. */
  channels: Channel[];
  updatedAt?: Date;
}
