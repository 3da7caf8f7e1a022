import type { Contact } from '@orderplatform/shared/contracts';
import { CHANNELS, type Channel } from '../domain/Channel.js';
import type { ContactPreferences } from '../domain/ContactPreferences.js';
import type { SkipReason } from '../domain/Notification.js';

export interface Recipient {
  channel: Channel;
  /** Email address or phone number. */
  address: string;
  source: 'preferences' | 'event';
}

export interface SkippedChannel {
  channel: Channel;
  reason: SkipReason;
}

/** Every channel, decided: either a recipient or a reason to skip it (recorded as SKIPPED). */
export interface Resolution {
  recipients: Recipient[];
  skipped: SkippedChannel[];
}

const addressIn = (channel: Channel, contact?: { email?: string; phone?: string }): string | undefined => {
  const value = (channel === 'email' ? contact?.email : contact?.phone)?.trim();
  return value ? value : undefined;
};

/**
 * Who gets what for one event, per channel. With stored preferences: their channels, each addressed
 * from the preferences first, then from the contact data the event carries; the other channels are
 * CHANNEL_DISABLED. Without preferences: every channel the event has an address for. A wanted channel
 * with no address anywhere is NO_CONTACT.
 */
export function resolveRecipients(preferences: ContactPreferences | null, eventContact: Contact | undefined): Resolution {
  const recipients: Recipient[] = [];
  const skipped: SkippedChannel[] = [];
  for (const channel of CHANNELS) {
    if (preferences && !preferences.channels.includes(channel)) {
      skipped.push({ channel, reason: 'CHANNEL_DISABLED' });
      continue;
    }
    const fromPreferences = addressIn(channel, preferences ?? undefined);
    const fromEvent = addressIn(channel, eventContact);
    if (fromPreferences) recipients.push({ channel, address: fromPreferences, source: 'preferences' });
    else if (fromEvent) recipients.push({ channel, address: fromEvent, source: 'event' });
    else skipped.push({ channel, reason: 'NO_CONTACT' });
  }
  return { recipients, skipped };
}
