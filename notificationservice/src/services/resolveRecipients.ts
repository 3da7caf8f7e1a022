import type { Contact } from '@orderplatform/shared';
import { CHANNELS, type Channel } from '../domain/Channel.js';
import type { ContactPreferences } from '../domain/ContactPreferences.js';

export interface Recipient {
  channel: Channel;
  /** Email address or phone number. */
  address: string;
  source: 'preferences' | 'event';
}

export interface Resolution {
  recipients: Recipient[];
  /** Channels wanted but with no address anywhere: logged, not recorded. */
  skipped: Channel[];
}

const addressIn = (channel: Channel, contact?: { email?: string; phone?: string }): string | undefined => {
  const value = (channel === 'email' ? contact?.email : contact?.phone)?.trim();
  return value ? value : undefined;
};

/**
 * Who gets what for one event. With stored preferences: their channels, each addressed from the
 * preferences first, then from the contact data the event carries. Without preferences: every
 * channel the event has an address for. A wanted channel with no address is skipped.
 */
export function resolveRecipients(preferences: ContactPreferences | null, eventContact: Contact | undefined): Resolution {
  const wanted: readonly Channel[] = preferences ? preferences.channels : CHANNELS.filter((channel) => addressIn(channel, eventContact) !== undefined);
  const recipients: Recipient[] = [];
  const skipped: Channel[] = [];
  for (const channel of wanted) {
    const fromPreferences = addressIn(channel, preferences ?? undefined);
    const fromEvent = addressIn(channel, eventContact);
    if (fromPreferences) recipients.push({ channel, address: fromPreferences, source: 'preferences' });
    else if (fromEvent) recipients.push({ channel, address: fromEvent, source: 'event' });
    else skipped.push(channel);
  }
  return { recipients, skipped };
}
