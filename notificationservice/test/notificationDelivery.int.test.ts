import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import type { MockMailbox } from '../src/providers/MockMailbox.js';
import type { NotificationProvider } from '../src/services/ports/NotificationProvider.js';
import type { NotificationRepository } from '../src/services/ports/NotificationRepository.js';
import type { NotificationService } from '../src/services/NotificationService.js';
import { TOKENS } from '../src/tokens.js';
import { ADA, buildDraft, buildOrderEvent } from './support/builders.js';
import { SHORT_LEASE, SpyProvider } from './support/fakes.js';

type NotificationTestService = TestServiceOf<typeof createService>;

/** What the mock providers actually delivered (their delivery log, in the service's database). */
const deliveries = (service: NotificationTestService, filter: Record<string, string> = {}) =>
  service.infra.models.mockDeliveries.find(filter).lean();

describe('notification delivery against the real database', () => {
  let world: TestServiceOf<typeof createService>;

  beforeAll(async () => {
    world = await startTestService(createService, 'notif-delivery', { env: { NOTIFICATION_SEND_LEASE_MS: '1000' } });
  });
  afterAll(async () => {
    await world.close();
  });

  /** The real service and mock providers, the providers wrapped in spies, through a child container. */
  function arrange() {
    const child = world.container.createChildContainer();
    const email = new SpyProvider(child.resolve<NotificationProvider>(TOKENS.EmailProvider));
    const sms = new SpyProvider(child.resolve<NotificationProvider>(TOKENS.SmsProvider));
    child.registerInstance(TOKENS.EmailProvider, email);
    child.registerInstance(TOKENS.SmsProvider, sms);
    return {
      service: child.resolve<NotificationService>(TOKENS.NotificationService),
      repository: child.resolve<NotificationRepository>(TOKENS.NotificationRepository),
      mailbox: child.resolve<MockMailbox>(TOKENS.MockMailbox),
      email,
      sms,
    };
  }

  it('when the same event is handled five times concurrently, there is one SENT record and one delivery per channel', async () => {
    const { service, repository, email, sms } = arrange();
    const event = buildOrderEvent('OrderPlaced');

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => service.notify(event)));

    expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
    const records = await repository.find({ orderId: event.data.orderId, limit: 100 });
    expect(records.map((r) => [r.channel, r.status, r.attempts]).sort()).toEqual([
      ['email', 'SENT', 1],
      ['sms', 'SENT', 1],
    ]);
    expect([email.calls.length, sms.calls.length]).toEqual([1, 1]);
    const delivered = await deliveries(world, { notificationId: records[0]!.id });
    expect(delivered).toHaveLength(1);
    expect(await deliveries(world, { notificationId: records[1]!.id })).toHaveLength(1);
  });

  it('when the customer has no contact, records one SKIPPED (NO_CONTACT) per channel, shown by the API; redeliveries, also concurrent, add none', async () => {
    const { service, repository, email, sms } = arrange();
    const event = buildOrderEvent('OrderPlaced', { customerId: 'cust-no-contact', customer: undefined });

    await service.notify(event);
    await Promise.all(Array.from({ length: 4 }, () => service.notify(event)));

    expect([email.calls.length, sms.calls.length]).toEqual([0, 0]);
    const records = await repository.find({ orderId: event.data.orderId, limit: 100 });
    expect(records.map((r) => [r.channel, r.status, r.reason, r.attempts]).sort()).toEqual([
      ['email', 'SKIPPED', 'NO_CONTACT', 0],
      ['sms', 'SKIPPED', 'NO_CONTACT', 0],
    ]);
    const byOrder = await request(world.app).get(`/api/notifications?orderId=${event.data.orderId}`);
    const byCustomer = await request(world.app).get('/api/notifications?customerId=cust-no-contact');
    expect(byOrder.status).toBe(200);
    expect(byOrder.body.data).toHaveLength(2);
    expect(byOrder.body.data[0]).toEqual({
      id: expect.any(String),
      eventId: event.eventId,
      eventType: 'OrderPlaced',
      orderId: event.data.orderId,
      customerId: 'cust-no-contact',
      channel: expect.stringMatching(/^(email|sms)$/),
      ...(byOrder.body.data[0].channel === 'email' ? { subject: `We received your order ${event.data.orderId}` } : {}),
      body: expect.any(String),
      status: 'SKIPPED',
      reason: 'NO_CONTACT',
      attempts: 0,
      createdAt: expect.any(String),
    });
    expect(byCustomer.body.data.map((n: { eventId: string; status: string }) => [n.eventId, n.status])).toEqual([
      [event.eventId, 'SKIPPED'],
      [event.eventId, 'SKIPPED'],
    ]);
    expect(await deliveries(world, { notificationId: records[0]!.id })).toHaveLength(0);
  });

  it('when the customer has an email address only, sends the email and records the SMS as SKIPPED (NO_CONTACT)', async () => {
    const { service, repository, sms } = arrange();
    const event = buildOrderEvent('OrderConfirmed', { customer: { email: ADA.email } });

    await service.notify(event);
    await service.notify(event);

    const records = await repository.find({ orderId: event.data.orderId, limit: 100 });
    expect(records.map((r) => [r.channel, r.status, r.reason ?? null, r.recipient ?? null]).sort()).toEqual([
      ['email', 'SENT', null, ADA.email],
      ['sms', 'SKIPPED', 'NO_CONTACT', null],
    ]);
    expect(sms.calls).toHaveLength(0);
  });

  it('a SKIPPED record is final: it cannot be leased, marked SENT or FAILED', async () => {
    const { repository } = arrange();
    const { recipient: _recipient, ...draft } = buildDraft();
    const skipped = (await repository.createSkipped({ ...draft, reason: 'CHANNEL_DISABLED' }))!;

    const again = await repository.createSkipped({ ...draft, reason: 'NO_CONTACT' });
    const leased = await repository.acquireLease(skipped.id, 'x', new Date(), new Date(Date.now() + 1_000));
    await repository.markSent(skipped.id, new Date());
    await repository.markFailed(skipped.id, 'x', 'boom');

    expect(again).toBeNull();
    expect(leased).toBeNull();
    expect(await repository.findById(skipped.id)).toMatchObject({ status: 'SKIPPED', reason: 'CHANNEL_DISABLED', attempts: 0 });
    expect(await repository.findByEvent(draft.eventId, draft.channel)).toMatchObject({ id: skipped.id });
  });

  it('when the record insert races, the unique (eventId, channel) index keeps one record', async () => {
    const { repository } = arrange();
    const draft = buildDraft();

    const created = await Promise.all(Array.from({ length: 8 }, () => repository.createIfAbsent(draft)));

    expect(new Set(created.map((r) => r.id)).size).toBe(1);
    expect(await repository.find({ orderId: draft.orderId, limit: 100 })).toHaveLength(1);
  });

  it('a first delivery creates the record with its lease taken: one winner among racing inserts, nobody else leases it until it runs out', async () => {
    const { repository } = arrange();
    const draft = buildDraft();
    const until = new Date(Date.now() + 60_000);

    const created = await Promise.all(['a', 'b', 'c', 'd'].map((leaseId) => repository.createLeased(draft, leaseId, until)));
    const winner = created.find((r) => r !== null)!;
    const meanwhile = await repository.acquireLease(winner.id, 'other', new Date(), new Date(Date.now() + 1_000));
    const afterExpiry = await repository.acquireLease(winner.id, 'late', new Date(until.getTime() + 1), new Date(until.getTime() + 2));

    expect(created.filter((r) => r !== null)).toHaveLength(1);
    expect(winner).toMatchObject({ eventId: draft.eventId, channel: draft.channel, status: 'PENDING', attempts: 1 });
    expect(meanwhile).toBeNull();
    expect(afterExpiry).toMatchObject({ attempts: 2 });
    expect(await repository.find({ orderId: draft.orderId, limit: 100 })).toHaveLength(1);
  });

  it('when the send lease is contended, exactly one caller gets it until it runs out', async () => {
    const { repository } = arrange();
    const record = await repository.createIfAbsent(buildDraft());
    const now = new Date();
    const until = new Date(now.getTime() + 60_000);

    const leases = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => repository.acquireLease(record.id, id, now, until)));
    const afterExpiry = await repository.acquireLease(record.id, 'late', new Date(until.getTime() + 1), new Date(until.getTime() + 2));

    expect(leases.filter((l) => l !== null)).toHaveLength(1);
    expect(afterExpiry).toMatchObject({ attempts: 2 });
  });

  it('when the service crashed after the provider accepted but before marking SENT, the re-send is deduped by the provider', async () => {
    const { service, repository, mailbox, email } = arrange();
    const event = buildOrderEvent('OrderConfirmed', { customer: { email: ADA.email } });
    // The first handler claimed the record and the provider delivered it; then the process died.
    const claimed = await repository.createIfAbsent({
      eventId: event.eventId,
      eventType: 'OrderConfirmed',
      orderId: event.data.orderId,
      customerId: 'cust-1',
      channel: 'email',
      recipient: ADA.email,
      subject: 's',
      body: 'b',
    });
    await mailbox.deliverOnce({
      channel: 'email',
      notificationId: claimed.id,
      to: ADA.email,
      subject: 's',
      body: 'b',
      deliveredAt: new Date(),
    });

    await service.notify(event);

    expect(email.calls).toHaveLength(1); // the provider was asked again, with the same key ...
    expect(await deliveries(world, { notificationId: claimed.id })).toHaveLength(1); // ... and delivered nothing new
    expect((await repository.findById(claimed.id))!.status).toBe('SENT');
  });

  it('when a provider fails, the record says FAILED with the error and the attempt count, and a later retry makes it SENT', async () => {
    const failing = await startTestService(createService, 'notif-failing', { env: { ...SHORT_LEASE, MOCK_SMS_FAILURE_RATE: '1' } });
    const recovered = failing.container.createChildContainer();
    try {
      const service = failing.container.resolve<NotificationService>(TOKENS.NotificationService);
      const repository = failing.container.resolve<NotificationRepository>(TOKENS.NotificationRepository);
      const event = buildOrderEvent('OrderShipped');

      await expect(service.notify(event)).rejects.toThrow(/sms: ProviderUnavailableError/);
      await expect(service.notify(event)).rejects.toThrow(/sms: ProviderUnavailableError/);
      const failed = await repository.find({ orderId: event.data.orderId, limit: 10 });

      expect(Object.fromEntries(failed.map((r) => [r.channel, [r.status, r.attempts]]))).toEqual({
        email: ['SENT', 1],
        sms: ['FAILED', 2],
      });
      expect(failed.find((r) => r.channel === 'sms')!.error).toMatch(/mock sms provider unavailable/);

      // The provider is back (a child container with the failure rate at 0).
      recovered.registerInstance(TOKENS.Config, { ...failing.config, MOCK_SMS_FAILURE_RATE: 0 });
      await recovered.resolve<NotificationService>(TOKENS.NotificationService).notify(event);

      const settled = await repository.find({ orderId: event.data.orderId, limit: 10 });
      expect(Object.fromEntries(settled.map((r) => [r.channel, [r.status, r.attempts]]))).toEqual({ email: ['SENT', 1], sms: ['SENT', 3] });
      expect(settled.find((r) => r.channel === 'sms')!.error).toBeUndefined();
      expect((await deliveries(failing)).map((d) => d.channel).sort()).toEqual(['email', 'sms']);
    } finally {
      await failing.close();
    }
  });
});
