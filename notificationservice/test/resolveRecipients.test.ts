import { describe, expect, it } from 'vitest';
import { resolveRecipients } from '../src/services/resolveRecipients.js';
import { ADA, buildPreferences } from './support/builders.js';

describe('choosing channels and addresses for an event', () => {
  it('when the customer has preferences, uses their channels and their addresses over the event', () => {
    const preferences = buildPreferences({ email: 'prefs@example.com', phone: '+447700900123', channels: ['sms'] });

    const result = resolveRecipients(preferences, ADA);

    expect(result).toEqual({
      recipients: [{ channel: 'sms', address: '+447700900123', source: 'preferences' }],
      skipped: [{ channel: 'email', reason: 'CHANNEL_DISABLED' }],
    });
  });

  it('when preferences lack an address for a chosen channel, falls back to the contact data in the event', () => {
    const preferences = buildPreferences({ email: undefined, phone: '+447700900123', channels: ['email', 'sms'] });

    const result = resolveRecipients(preferences, ADA);

    expect(result.recipients).toEqual([
      { channel: 'email', address: ADA.email, source: 'event' },
      { channel: 'sms', address: '+447700900123', source: 'preferences' },
    ]);
  });

  it('when a chosen channel has no address anywhere, skips that channel only, for NO_CONTACT', () => {
    const preferences = buildPreferences({ email: undefined, phone: undefined, channels: ['email', 'sms'] });

    const result = resolveRecipients(preferences, { email: 'event@example.com' });

    expect(result).toEqual({
      recipients: [{ channel: 'email', address: 'event@example.com', source: 'event' }],
      skipped: [{ channel: 'sms', reason: 'NO_CONTACT' }],
    });
  });

  it('when there are no preferences, uses every channel the event has an address for; the others are NO_CONTACT', () => {
    expect(resolveRecipients(null, ADA)).toEqual({
      recipients: [expect.objectContaining({ channel: 'email' }), expect.objectContaining({ channel: 'sms' })],
      skipped: [],
    });
    expect(resolveRecipients(null, { phone: '+14155550123' })).toEqual({
      recipients: [{ channel: 'sms', address: '+14155550123', source: 'event' }],
      skipped: [{ channel: 'email', reason: 'NO_CONTACT' }],
    });
  });

  it('when there are neither preferences nor contact data (or only blanks), every channel is NO_CONTACT', () => {
    const nobody = {
      recipients: [],
      skipped: [
        { channel: 'email', reason: 'NO_CONTACT' },
        { channel: 'sms', reason: 'NO_CONTACT' },
      ],
    };
    expect(resolveRecipients(null, undefined)).toEqual(nobody);
    expect(resolveRecipients(null, { email: '  ', name: 'Ada' })).toEqual(nobody);
  });
});
