import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { DeliveryIncompleteError } from '../src/domain/errors/DeliveryIncompleteError.js';
import type { NotificationProvider } from '../src/services/ports/NotificationProvider.js';
import type { NotificationRepository } from '../src/services/ports/NotificationRepository.js';
import type { PreferencesRepository } from '../src/services/ports/PreferencesRepository.js';
import type { NotificationService } from '../src/services/NotificationService.js';
import { TOKENS } from '../src/tokens.js';
import { ADA, buildDraft, buildOrderEvent, buildPreferences } from './support/builders.js';
import { sequence, SpyProvider } from './support/fakes.js';

type NotificationTestService = TestServiceOf<typeof createService>;

describe('notifications for a wave of events, in bulk (real database)', () => {
  let world: NotificationTestService;

  beforeAll(async () => {
    world = await startTestService(createService, 'notif-waves', { env: { NOTIFICATION_SEND_LEASE_MS: '1000' } });
  });
  afterAll(async () => {
    await world.close();
  });

  function arrange(overrides: { smsFailureRate?: number; random?: () => number } = {}) {
    const child = world.container.createChildContainer();
    if (overrides.smsFailureRate !== undefined) {
      child.registerInstance(TOKENS.Config, { ...world.config, MOCK_SMS_FAILURE_RATE: overrides.smsFailureRate });
    }
    if (overrides.random) child.register(TOKENS.Random, { useValue: overrides.random });
    const email = new SpyProvider(child.resolve<NotificationProvider>(TOKENS.EmailProvider));
    const sms = new SpyProvider(child.resolve<NotificationProvider>(TOKENS.SmsProvider));
    child.registerInstance(TOKENS.EmailProvider, email);
    child.registerInstance(TOKENS.SmsProvider, sms);
    return {
      service: child.resolve<NotificationService>(TOKENS.NotificationService),
      repository: child.resolve<NotificationRepository>(TOKENS.NotificationRepository),
      preferences: child.resolve<PreferencesRepository>(TOKENS.PreferencesRepository),
      email,
      sms,
    };
  }
  const recordsOf = async (repository: NotificationRepository, orderId: string) =>
    Object.fromEntries(
      (await repository.find({ orderId, limit: 10 })).map((r) => [r.channel, [r.status, r.attempts, r.reason ?? r.recipient ?? null]]),
    );
  const deliveriesOf = async (orderId: string, repository: NotificationRepository) => {
    const ids = (await repository.find({ orderId, limit: 10 })).map((r) => r.id);
    return (await world.infra.models.mockDeliveries.find().lean()).filter((d) => ids.includes(d.notificationId)).length;
  };

  it('a wave whose bulk insert partly fails on records an earlier delivery made: one record per event and channel, none sent twice', async () => {
    const { service, repository, preferences, email, sms } = arrange();
    const done = buildOrderEvent('OrderPlaced'); // notified before, completely
    const crashed = buildOrderEvent('OrderConfirmed'); // an earlier delivery inserted its email record (lease taken), then died
    const emailOnly = buildOrderEvent('OrderShipped', { customer: { email: ADA.email } });
    const withPrefs = buildOrderEvent('OrderDelivered', { customerId: 'cust-wave-prefs' });
    await preferences.replace(buildPreferences({ customerId: 'cust-wave-prefs', email: 'prefs@example.com', channels: ['email'] }));
    await service.notify(done);
    await repository.createLeased(
      {
        eventId: crashed.eventId,
        eventType: 'OrderConfirmed',
        orderId: crashed.data.orderId,
        customerId: 'cust-1',
        channel: 'email',
        recipient: ADA.email,
        subject: 'Order confirmed',
        body: 'the first delivery’s message',
      },
      'dead-handler',
      new Date(Date.now() - 1),
    );
    email.calls.length = 0;
    sms.calls.length = 0;

    const outcomes = await service.notifyMany([done, crashed, emailOnly, withPrefs]);

    expect(outcomes).toEqual([undefined, undefined, undefined, undefined]);
    expect(await recordsOf(repository, done.data.orderId)).toEqual({ email: ['SENT', 1, ADA.email], sms: ['SENT', 1, ADA.phone] });
    // The crashed delivery's record is the one sent (its stored message, its id), its lease taken once more.
    expect(await recordsOf(repository, crashed.data.orderId)).toEqual({ email: ['SENT', 2, ADA.email], sms: ['SENT', 1, ADA.phone] });
    expect(email.calls.find((c) => c.body === 'the first delivery’s message')).toBeDefined();
    expect(await recordsOf(repository, emailOnly.data.orderId)).toEqual({
      email: ['SENT', 1, ADA.email],
      sms: ['SKIPPED', 0, 'NO_CONTACT'],
    });
    expect(await recordsOf(repository, withPrefs.data.orderId)).toEqual({
      email: ['SENT', 1, 'prefs@example.com'],
      sms: ['SKIPPED', 0, 'CHANNEL_DISABLED'],
    });
    expect(email.calls.map((c) => c.to).sort()).toEqual([ADA.email, ADA.email, 'prefs@example.com']);
    expect(sms.calls.map((c) => c.to)).toEqual([ADA.phone]);
    expect(await deliveriesOf(done.data.orderId, repository)).toBe(2);
    expect(await deliveriesOf(crashed.data.orderId, repository)).toBe(2);
    expect(await deliveriesOf(emailOnly.data.orderId, repository)).toBe(1);

    // The whole wave again (a redelivery): nothing new anywhere.
    email.calls.length = 0;
    sms.calls.length = 0;
    expect(await service.notifyMany([done, crashed, emailOnly, withPrefs])).toEqual([undefined, undefined, undefined, undefined]);
    expect([email.calls.length, sms.calls.length]).toEqual([0, 0]);
    expect(await deliveriesOf(crashed.data.orderId, repository)).toBe(2);
  });

  it('a record the schema refuses fails the bulk insert (it is never taken as written); the valid ones are written', async () => {
    const { repository } = arrange();
    const valid = buildDraft();
    const invalid = buildDraft({ body: '' }); // body is required
    const until = new Date(Date.now() + 1_000);

    await expect(
      repository.insertMany([
        { kind: 'leased', draft: valid, leaseId: 'l-1', until },
        { kind: 'leased', draft: invalid, leaseId: 'l-2', until },
      ]),
    ).rejects.toThrow();

    expect((await repository.findByEvent(valid.eventId, 'email'))?.status).toBe('PENDING');
    expect(await repository.findByEvent(invalid.eventId, 'email')).toBeNull();
  });

  it('one event’s failed send fails only that event: its record FAILED (lease released), the others SENT; a retry sends only it', async () => {
    const failing = arrange({ smsFailureRate: 0.5, random: sequence(0.9, 0.1, 0.9) }); // the 2nd SMS fails
    const events = [buildOrderEvent('OrderPlaced'), buildOrderEvent('OrderPlaced'), buildOrderEvent('OrderPlaced')];

    const outcomes = await failing.service.notifyMany(events);

    expect(outcomes[0]).toBeUndefined();
    expect(outcomes[1]).toBeInstanceOf(DeliveryIncompleteError);
    expect(outcomes[2]).toBeUndefined();
    expect((await recordsOf(failing.repository, events[1]!.data.orderId)).sms).toEqual(['FAILED', 1, ADA.phone]);
    expect((await recordsOf(failing.repository, events[0]!.data.orderId)).sms).toEqual(['SENT', 1, ADA.phone]);
    expect(await deliveriesOf(events[1]!.data.orderId, failing.repository)).toBe(1);

    const retry = arrange();
    expect(await retry.service.notifyMany([events[1]!])).toEqual([undefined]);
    expect(await recordsOf(retry.repository, events[1]!.data.orderId)).toEqual({
      email: ['SENT', 1, ADA.email],
      sms: ['SENT', 2, ADA.phone],
    });
    expect([retry.email.calls.length, retry.sms.calls.length]).toEqual([0, 1]);
    expect(await deliveriesOf(events[1]!.data.orderId, retry.repository)).toBe(2);
  });
});
