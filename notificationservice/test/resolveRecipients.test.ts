import { describe, expect, it } from 'vitest';
import { resolveRecipients } from '../src/services/resolveRecipients.js';
import { ADA, buildPreferences } from './support/builders.js';

describe('choosing channels and addresses for an event', () => {
  it('when the customer has preferences, uses their channels and their addresses over the event', () => {
    const preferences = buildPreferences({ email: 'prefs@example.com', phone: '+447700900123', channels: ['sms'] });

    const result = resolveRecipients(preferences, ADA);

    expect(result).toEqual({ recipients: [{ channel: 'sms', address: '+447700900123', source: 'preferences' }], skipped: [] });
  });

  it('when preferences lack an address for a chosen channel, falls back to the contact data in the event', () => {
    const preferences = buildPreferences({ email: undefined, phone: '+447700900123', channels: ['email', 'sms'] });

    const result = resolveRecipients(preferences, ADA);

    expect(result.recipients).toEqual([
      { channel: 'email', address: ADA.email, source: 'event' },
      { channel: 'sms', address: '+447700900123', source: 'preferences' },
    ]);
  });

  it('when a chosen channel has no address anywhere, skips that channel only', () => {
    const preferences = buildPreferences({ email: undefined, phone: undefined, channels: ['email', 'sms'] });

    const result = resolveRecipients(preferences, { email: 'event@example.com' });

    expect(result).toEqual({ recipients: [{ channel: 'email', address: 'event@example.com', source: 'event' }], skipped: ['sms'] });
  });

  it('when there are no preferences, uses every channel the event has an address for', () => {
    expect(resolveRecipients(null, ADA).recipients.map((r) => r.channel)).toEqual(['email', 'sms']);
    expect(resolveRecipients(null, { phone: '+14155550123' }).recipients).toEqual([{ channel: 'sms', address: '+14155550123', source: 'event' }]);
  });

  it('when there are neither preferences nor contact data (or only blanks), nobody is notified', () => {
    expect(resolveRecipients(null, undefined)).toEqual({ recipients: [], skipped: [] });
    expect(resolveRecipients(null, { email: '  ', name: 'Ada' })).toEqual({ recipients: [], skipped: [] });
  });
});
