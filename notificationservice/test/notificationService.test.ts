import { metrics } from '../src/metrics.js';
import { describe, expect, it } from 'vitest';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { DeliveryIncompleteError } from '../src/domain/errors/DeliveryIncompleteError.js';
import type { NotificationService } from '../src/services/NotificationService.js';
import { TOKENS } from '../src/tokens.js';
import { fakePorts, SHORT_LEASE } from './support/fakes.js';
import { ADA, buildOrderEvent, buildPreferences } from './support/builders.js';

/** notifications_total for one event type, as { 'channel/outcome': value }. */
async function notificationCounts(eventType: string): Promise<Record<string, number>> {
  const { values } = await metrics.notifications.get();
  return Object.fromEntries(
    values.filter((v) => v.labels.event_type === eventType).map((v) => [`${v.labels.channel}/${v.labels.outcome}`, v.value]),
  );
}

function arrange() {
  const fakes = fakePorts();
  const { container } = unitService(createService, { env: SHORT_LEASE, register: fakes.register });
  return { ...fakes, container, service: container.resolve<NotificationService>(TOKENS.NotificationService) };
}

describe('notifying a customer of an order event', () => {
  it('sends one message per channel and records each as SENT with the message that went out', async () => {
    const { service, email, sms, notifications } = arrange();
    const event = buildOrderEvent('OrderConfirmed', { orderId: 'ord-1' });

    await service.notify(event);

    expect(email.calls).toHaveLength(1);
    expect(sms.calls).toHaveLength(1);
    expect(email.calls[0]).toMatchObject({ to: ADA.email, subject: 'Your order ord-1 is confirmed' });
    expect(sms.calls[0]).toMatchObject({ to: ADA.phone, body: 'Your order ord-1 is confirmed (total $60.28).' });
    const records = notifications.all();
    expect(records.map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['email', 'SENT', 1],
      ['sms', 'SENT', 1],
    ]);
    // The provider's idempotency key is the record id.
    expect(email.calls[0]!.notificationId).toBe(records.find((r) => r.channel === 'email')!.id);
    expect(records[0]).toMatchObject({ eventId: event.eventId, eventType: 'OrderConfirmed', orderId: 'ord-1', customerId: 'cust-1' });
  });

  it('counts each channel outcome in notifications_total: sent, failed, already_sent', async () => {
    const { service, sms } = arrange();
    metrics.notifications.reset();
    sms.failing = true;
    const event = buildOrderEvent('OrderDelivered');

    await expect(service.notify(event)).rejects.toThrow(DeliveryIncompleteError);
    sms.failing = false;
    await service.notify(event);

    expect(await notificationCounts('OrderDelivered')).toEqual({
      'email/sent': 1,
      'sms/failed': 1,
      'email/already_sent': 1,
      'sms/sent': 1,
    });
  });

  it('when the same event comes again, sends nothing more', async () => {
    const { service, email, sms, notifications } = arrange();
    const event = buildOrderEvent('OrderPlaced');
    await service.notify(event);

    await service.notify(event);
    await service.notify(event);

    expect([email.calls.length, sms.calls.length]).toEqual([1, 1]);
    expect(notifications.all()).toHaveLength(2);
  });

  it('when the same event is handled several times at once, each channel is sent once', async () => {
    const { service, email, sms, notifications } = arrange();
    email.delayMs = 50;
    sms.delayMs = 50;
    const event = buildOrderEvent('OrderShipped');

    await Promise.all(Array.from({ length: 5 }, () => service.notify(event)));

    expect([email.calls.length, sms.calls.length]).toEqual([1, 1]);
    expect(notifications.all().map((r) => [r.channel, r.status])).toEqual([
      ['email', 'SENT'],
      ['sms', 'SENT'],
    ]);
  });

  it('when one channel fails, the other is still sent, the failure is recorded and the event fails to be retried', async () => {
    const { service, email, sms, notifications } = arrange();
    sms.failing = true;
    const event = buildOrderEvent('OrderCancelled', { reason: 'TIMEOUT' });

    const outcome = service.notify(event);

    await expect(outcome).rejects.toBeInstanceOf(DeliveryIncompleteError);
    await expect(outcome).rejects.toThrow('sms: ProviderUnavailableError: sms gateway down');
    const byChannel = Object.fromEntries(notifications.all().map((r) => [r.channel, r]));
    expect(byChannel.email).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(byChannel.sms).toMatchObject({ status: 'FAILED', attempts: 1, error: 'ProviderUnavailableError: sms gateway down' });
    expect(email.calls).toHaveLength(1);
  });

  it('when a failed event is retried, only the channels not yet sent are tried again, with the same message and key', async () => {
    const { service, email, sms, notifications } = arrange();
    sms.failing = true;
    const event = buildOrderEvent('OrderPlaced');
    await expect(service.notify(event)).rejects.toThrow(DeliveryIncompleteError);
    await expect(service.notify(event)).rejects.toThrow(DeliveryIncompleteError);

    sms.failing = false;
    await service.notify(event);

    expect(email.calls).toHaveLength(1);
    expect(sms.calls).toHaveLength(3);
    expect(new Set(sms.calls.map((c) => c.notificationId)).size).toBe(1);
    expect(new Set(sms.calls.map((c) => c.body)).size).toBe(1);
    const smsRecord = notifications.all().find((r) => r.channel === 'sms')!;
    expect(smsRecord).toMatchObject({ status: 'SENT', attempts: 3 });
    expect(smsRecord.error).toBeUndefined();
    expect(smsRecord.sentAt).toBeInstanceOf(Date);
  });

  it('when the customer chose channels and addresses, sends only there and records the other channel as SKIPPED (CHANNEL_DISABLED)', async () => {
    const { service, email, sms, notifications, preferences } = arrange();
    preferences.stored.set('cust-1', buildPreferences({ channels: ['sms'], phone: '+447700900123' }));

    await service.notify(buildOrderEvent('OrderDelivered', { customerId: 'cust-1' }));

    expect(email.calls).toHaveLength(0);
    expect(sms.calls.map((c) => c.to)).toEqual(['+447700900123']);
    const byChannel = Object.fromEntries(notifications.all().map((r) => [r.channel, r]));
    expect(byChannel.sms).toMatchObject({ status: 'SENT', recipient: '+447700900123' });
    expect(byChannel.email).toMatchObject({
      status: 'SKIPPED',
      reason: 'CHANNEL_DISABLED',
      attempts: 0,
      subject: expect.stringContaining('delivered'),
    });
    expect(byChannel.email!.recipient).toBeUndefined();
  });

  it('when a channel has no address, records it as SKIPPED (NO_CONTACT) and sends the other channel without failing the event', async () => {
    const { service, email, sms, notifications, preferences } = arrange();
    metrics.notifications.reset();
    // Wants SMS too, but neither the preferences nor the order have a phone number.
    preferences.stored.set(
      'cust-2',
      buildPreferences({ customerId: 'cust-2', channels: ['email', 'sms'], email: 'prefs@example.com', phone: undefined }),
    );

    await service.notify(buildOrderEvent('OrderPlaced', { customer: { email: 'only-email@example.com' } }));
    await service.notify(buildOrderEvent('OrderPlaced', { customerId: 'cust-2', customer: { email: 'order@example.com' } }));

    expect(email.calls.map((c) => c.to)).toEqual(['only-email@example.com', 'prefs@example.com']);
    expect(sms.calls).toHaveLength(0);
    expect(notifications.all().map((r) => [r.channel, r.status, r.reason ?? null])).toEqual([
      ['email', 'SENT', null],
      ['sms', 'SKIPPED', 'NO_CONTACT'],
      ['email', 'SENT', null],
      ['sms', 'SKIPPED', 'NO_CONTACT'],
    ]);
    expect(await notificationCounts('OrderPlaced')).toEqual({ 'email/sent': 2, 'sms/skipped': 2 });
  });

  it('when the customer has no contact at all, records one SKIPPED (NO_CONTACT) per channel, and a redelivery adds none', async () => {
    const { service, email, sms, notifications } = arrange();
    metrics.notifications.reset();
    const event = buildOrderEvent('OrderConfirmed', { orderId: 'ord-nobody', customerId: 'nobody', customer: undefined });

    await service.notify(event);
    await service.notify(event);

    expect([email.calls.length, sms.calls.length]).toEqual([0, 0]);
    const records = notifications.all();
    expect(records.map((r) => [r.channel, r.status, r.reason, r.attempts])).toEqual([
      ['email', 'SKIPPED', 'NO_CONTACT', 0],
      ['sms', 'SKIPPED', 'NO_CONTACT', 0],
    ]);
    expect(records[0]).toMatchObject({
      eventId: event.eventId,
      orderId: 'ord-nobody',
      customerId: 'nobody',
      subject: 'Your order ord-nobody is confirmed',
    });
    expect(await notificationCounts('OrderConfirmed')).toEqual({
      'email/skipped': 1,
      'sms/skipped': 1,
      'email/already_skipped': 1,
      'sms/already_skipped': 1,
    });
    const { values } = await metrics.notifications.get();
    expect(values.filter((v) => v.labels.outcome === 'skipped').map((v) => v.labels.reason)).toEqual(['NO_CONTACT', 'NO_CONTACT']);
  });

  it('when a redelivery finds an address for a channel that was SKIPPED, the first decision stands: nothing is sent', async () => {
    const { service, email, notifications, preferences } = arrange();
    const event = buildOrderEvent('OrderPlaced', { customerId: 'late', customer: undefined });
    await service.notify(event);

    preferences.stored.set('late', buildPreferences({ customerId: 'late', channels: ['email'], email: 'late@example.com' }));
    await service.notify(event);

    expect(email.calls).toHaveLength(0);
    expect(notifications.all().map((r) => [r.channel, r.status, r.reason])).toEqual([
      ['email', 'SKIPPED', 'NO_CONTACT'],
      ['sms', 'SKIPPED', 'NO_CONTACT'],
    ]);
  });

  it('when a send failed and the address is gone by the redelivery, the redelivery still finishes that send to the stored recipient', async () => {
    const { service, sms, notifications, preferences } = arrange();
    sms.failing = true;
    const event = buildOrderEvent('OrderShipped', { customerId: 'moved' });
    await expect(service.notify(event)).rejects.toThrow(DeliveryIncompleteError);

    sms.failing = false;
    preferences.stored.set('moved', buildPreferences({ customerId: 'moved', channels: ['email'] }));
    await service.notify(event);

    expect(sms.calls.map((c) => c.to)).toEqual([ADA.phone, ADA.phone]);
    expect(notifications.all().find((r) => r.channel === 'sms')).toMatchObject({ status: 'SENT', attempts: 2, recipient: ADA.phone });
    expect(notifications.all()).toHaveLength(2);
  });

  it('when another handler crashed holding the send, takes it over once its lease runs out', async () => {
    const { service, email, notifications } = arrange(); // lease 300 ms in unit tests
    const event = buildOrderEvent('OrderConfirmed', { customer: { email: ADA.email } });
    const crashed = await notifications.createIfAbsent({
      eventId: event.eventId,
      eventType: 'OrderConfirmed',
      orderId: event.data.orderId,
      customerId: 'cust-1',
      channel: 'email',
      recipient: ADA.email,
      subject: 'old',
      body: 'as first rendered',
    });
    const now = new Date();
    await notifications.acquireLease(crashed.id, 'dead-handler', now, new Date(now.getTime() + 300));

    await service.notify(event);

    expect(email.calls).toHaveLength(1);
    expect(email.calls[0]).toMatchObject({ notificationId: crashed.id, subject: 'old', body: 'as first rendered' });
    expect(notifications.all()[0]).toMatchObject({ status: 'SENT', attempts: 2 });
  });
});
