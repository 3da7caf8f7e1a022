import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicToEnd } from '@orderplatform/shared/kafka';
import { eventually } from '../../tools/lib/eventually.js';
import { admin, http } from '../support/http.js';
import { testKafka, uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../support/services.js';

interface NotificationView {
  eventId: string;
  eventType: string;
  channel: 'email' | 'sms';
  recipient?: string;
  subject?: string;
  body: string;
  status: string;
  reason?: string;
  attempts: number;
}

/**
 * The three services as processes: lifecycle events become notifications, once each. (A provider that keeps
 * failing → DLT → replay is notificationservice/test/notificationservice.e2e.test.ts.)
 */
describe('notifications end to end', () => {
  const prefix = uniqueName('notify');
  const env = isolatedTopicsEnv(prefix);
  const notificationDb = uniqueName('notificationdb');
  const kafka = testKafka();
  let orders: RunningService;
  let inventory: RunningService;
  let notifications: RunningService;

  beforeAll(async () => {
    [orders, inventory, notifications] = await Promise.all([
      startService('orderservice', { dbName: uniqueName('orderdb'), env }),
      startService('inventoryservice', { dbName: uniqueName('inventorydb'), env: { ...env, SEED_CATALOG: 'true' } }),
      startService('notificationservice', { dbName: notificationDb, env }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([orders?.stop(), inventory?.stop(), notifications?.stop()]);
  });

  const place = async (body: unknown) => {
    const res = await http('POST', `${orders.url}/api/orders`, body);
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  };
  const settle = async (id: string, states: string) =>
    (await http('GET', `${orders.url}/api/orders/${id}?waitFor=${states}&timeoutMs=20000`)).body.data;
  const notificationsOf = async (orderId: string): Promise<NotificationView[]> =>
    (await http('GET', `${notifications.url}/api/notifications?orderId=${orderId}`)).body.data;
  const eventuallyNotified = (orderId: string, predicate: (n: NotificationView[]) => boolean): Promise<NotificationView[]> =>
    eventually(() => notificationsOf(orderId), predicate, `notifications of ${orderId}`);
  const sentFor = (list: NotificationView[], eventType: string) =>
    list
      .filter((n) => n.eventType === eventType && n.status === 'SENT')
      .map((n) => n.channel)
      .sort();
  const customer = { email: 'ada@example.com', phone: '+14155550123', name: 'Ada' };

  it('notifies every lifecycle step on email and SMS, with the cancel reason, once each', async () => {
    const id = await place({ customerId: 'cust-life', customer, items: [{ productId: '1', quantity: 1, price: 10 }] });
    await settle(id, 'CONFIRMED');
    expect((await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'SHIPPED' }, admin)).status).toBe(200);
    expect((await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'DELIVERED' }, admin)).status).toBe(200);
    const cancelled = await place({ customerId: 'cust-life', customer, items: [{ productId: '2', quantity: 999, price: 1 }] });
    await settle(cancelled, 'CANCELLED');

    const lifecycle = await eventuallyNotified(id, (l) =>
      ['OrderPlaced', 'OrderConfirmed', 'OrderShipped', 'OrderDelivered'].every((t) => sentFor(l, t).length === 2),
    );
    const cancel = await eventuallyNotified(cancelled, (l) => sentFor(l, 'OrderCancelled').length === 2);

    for (const type of ['OrderPlaced', 'OrderConfirmed', 'OrderShipped', 'OrderDelivered'])
      expect(sentFor(lifecycle, type)).toEqual(['email', 'sms']);
    expect(lifecycle).toHaveLength(8);
    expect(lifecycle.find((n) => n.channel === 'email' && n.eventType === 'OrderConfirmed')!.recipient).toBe(customer.email);
    expect(lifecycle.find((n) => n.channel === 'sms' && n.eventType === 'OrderShipped')!.recipient).toBe(customer.phone);
    const cancelEmail = cancel.find((n) => n.eventType === 'OrderCancelled' && n.channel === 'email')!;
    expect(`${cancelEmail.subject} ${cancelEmail.body}`.toLowerCase()).toMatch(/stock/);
    expect(cancel.find((n) => n.eventType === 'OrderCancelled' && n.channel === 'sms')!.body.length).toBeLessThanOrEqual(160);
  });

  it('honours contact preferences over the contact data in the order; the channel they leave out is SKIPPED (CHANNEL_DISABLED)', async () => {
    const put = await http('PUT', `${notifications.url}/api/notifications/preferences/cust-prefs`, {
      email: 'prefers@example.com',
      channels: ['email'],
    });
    expect(put.status).toBeLessThan(300);

    const id = await place({ customerId: 'cust-prefs', customer, items: [{ productId: '3', quantity: 1, price: 10 }] });
    await settle(id, 'CONFIRMED');
    const list = await eventuallyNotified(id, (l) => sentFor(l, 'OrderConfirmed').length === 1);

    const byChannel = (channel: string) => list.filter((n) => n.channel === channel);
    expect(byChannel('email').every((n) => n.status === 'SENT' && n.recipient === 'prefers@example.com')).toBe(true);
    expect(byChannel('sms').map((n) => [n.status, n.reason])).toEqual(byChannel('email').map(() => ['SKIPPED', 'CHANNEL_DISABLED']));
  });

  it('for a customer without any contact, shows one SKIPPED (NO_CONTACT) record per event and channel, by order and by customer', async () => {
    const id = await place({ customerId: 'cust-nobody', items: [{ productId: '3', quantity: 1, price: 10 }] });
    await settle(id, 'CONFIRMED');

    const list = await eventuallyNotified(id, (l) => l.length === 4);
    const byCustomer = (await http('GET', `${notifications.url}/api/notifications?customerId=cust-nobody`)).body.data as NotificationView[];

    expect(list.map((n) => `${n.eventType}/${n.channel}/${n.status}/${n.reason}`).sort()).toEqual([
      'OrderConfirmed/email/SKIPPED/NO_CONTACT',
      'OrderConfirmed/sms/SKIPPED/NO_CONTACT',
      'OrderPlaced/email/SKIPPED/NO_CONTACT',
      'OrderPlaced/sms/SKIPPED/NO_CONTACT',
    ]);
    expect(list.every((n) => n.recipient === undefined)).toBe(true);
    expect(byCustomer.map((n) => n.eventId).sort()).toEqual(list.map((n) => n.eventId).sort());
  });

  it('sends nothing twice when the order events are delivered again', async () => {
    const id = await place({ customerId: 'cust-dup', customer, items: [{ productId: '4', quantity: 1, price: 10 }] });
    await settle(id, 'CONFIRMED');
    await eventuallyNotified(id, (l) => sentFor(l, 'OrderConfirmed').length === 2);

    // Redeliver every event of this order as it is on the topic (same eventIds).
    const copies = (await readTopicToEnd(kafka, env.ORDER_EVENTS_TOPIC!)).filter(({ message }) => message.key?.toString() === id);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 2; i++) {
      await producer.send({
        topic: env.ORDER_EVENTS_TOPIC!,
        acks: -1,
        messages: copies.map(({ message }) => ({ key: message.key, value: message.value, headers: message.headers })),
      });
    }
    // A marker after the copies on the same key: once it is notified, the copies were handled.
    expect((await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'SHIPPED' }, admin)).status).toBe(200);
    await producer.disconnect();

    const list = await eventuallyNotified(id, (l) => sentFor(l, 'OrderShipped').length === 2);
    expect(list.map((n) => `${n.eventType}/${n.channel}`).sort()).toEqual([
      'OrderConfirmed/email',
      'OrderConfirmed/sms',
      'OrderPlaced/email',
      'OrderPlaced/sms',
      'OrderShipped/email',
      'OrderShipped/sms',
    ]);
  });
});
