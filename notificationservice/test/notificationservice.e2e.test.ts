import { childTraceparent, dltTopicOf, eventHeaders, serializeEvent, type DomainEvent } from '@orderplatform/shared/contracts';
import { createIdempotentProducer, readDeadLetters } from '@orderplatform/shared/kafka';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../../test/support/http.js';
import { dbUrlFor, kafkaBrokers, testKafka, uniqueName } from '../../test/support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../../test/support/services.js';
import { ADA, buildOrderEvent } from './support/builders.js';
import { eventually } from '../../tools/lib/eventually.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

interface NotificationView {
  id: string;
  eventId: string;
  eventType: string;
  channel: 'email' | 'sms';
  recipient?: string;
  subject?: string;
  body: string;
  status: string;
  reason?: string;
  attempts: number;
  sentAt?: string;
  error?: string;
}

/**
 * notificationservice as a real process (what `npm start` runs) on the test stack, fed order events
 * through Kafka on its own topics. The SMS provider fails every send until the service is restarted.
 */
describe('notificationservice as a process', () => {
  const topics = isolatedTopicsEnv(uniqueName('notif-e2e'));
  const orderTopic = topics.ORDER_EVENTS_TOPIC!;
  const dbName = uniqueName('notif-e2e');
  // Its own consumer group: a group shared with other test files' services would mix their assignments.
  const env = { ...topics, CONSUMER_GROUP_ID: uniqueName('notif-e2e-group'), NOTIFICATION_MAX_ATTEMPTS: '2' };
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  let service: RunningService;
  let db: Connection;

  beforeAll(async () => {
    service = await startService('notificationservice', { dbName, env: { ...env, MOCK_SMS_FAILURE_RATE: '1' } });
    await producer.connect();
    db = await mongoose.createConnection(dbUrlFor(dbName)).asPromise();
  });
  afterAll(async () => {
    await service?.kill();
    await producer.disconnect();
    await db?.dropDatabase();
    await db?.close();
  });

  const publish = (event: DomainEvent, times = 1) =>
    producer.send({
      topic: orderTopic,
      acks: -1,
      messages: Array.from({ length: times }, () => ({
        key: (event.data as { orderId: string }).orderId,
        value: serializeEvent(event),
        headers: eventHeaders(event, childTraceparent()),
      })),
    });
  const notificationsOf = async (orderId: string): Promise<NotificationView[]> => {
    const res = await http<{ data: NotificationView[] }>('GET', `${service.url}/api/notifications?orderId=${orderId}`);
    return res.body.data;
  };
  const deliveriesOf = (notificationId: string) => db.collection('mock_provider_deliveries').countDocuments({ notificationId });
  const deadLetters = () => readDeadLetters(kafka, dltTopicOf(orderTopic));

  it('tells the customer about each step of an order, by email when the event carries only an email address (SMS SKIPPED: NO_CONTACT)', async () => {
    const contact = { email: ADA.email, name: 'Ada' };
    const placed = buildOrderEvent('OrderPlaced', { customer: contact });
    const orderId = placed.data.orderId;
    const cancelled = buildOrderEvent('OrderCancelled', { customer: contact, reason: 'CUSTOMER_REQUEST' });

    await publish(placed);
    await publish(buildOrderEvent('OrderConfirmed', { orderId, customer: contact }));
    await publish(buildOrderEvent('OrderShipped', { orderId, customer: contact }));
    await publish(buildOrderEvent('OrderDelivered', { orderId, customer: contact }));
    await publish(cancelled);

    const all = await eventually(
      () => notificationsOf(orderId),
      (list) => list.length === 8 && list.filter((n) => n.status === 'SENT').length === 4,
      'four emails, four SMS skipped',
    );
    const sent = all.filter((n) => n.status === 'SENT');
    expect(all.filter((n) => n.channel === 'sms').map((n) => [n.status, n.reason])).toEqual(Array(4).fill(['SKIPPED', 'NO_CONTACT']));
    expect(sent.map((n) => [n.eventType, n.channel, n.recipient]).sort()).toEqual([
      ['OrderConfirmed', 'email', ADA.email],
      ['OrderDelivered', 'email', ADA.email],
      ['OrderPlaced', 'email', ADA.email],
      ['OrderShipped', 'email', ADA.email],
    ]);
    expect(sent.find((n) => n.eventType === 'OrderPlaced')).toMatchObject({
      eventId: placed.eventId,
      subject: `We received your order ${orderId}`,
      attempts: 1,
    });
    expect(sent.find((n) => n.eventType === 'OrderPlaced')!.body).toContain('Total: $60.28');
    const cancellations = await eventually(
      () => notificationsOf(cancelled.data.orderId),
      (list) => list.length === 2 && list.some((n) => n.status === 'SENT'),
      'cancellation email, SMS skipped',
    );
    const cancellation = cancellations.find((n) => n.channel === 'email');
    expect(cancellation).toMatchObject({ eventType: 'OrderCancelled', status: 'SENT' });
    expect(cancellation!.body).toContain('was cancelled because you asked us to cancel it');
  });

  it('parks an invalid event in the DLT and goes on with the next event of the same order', async () => {
    const poison = buildOrderEvent('OrderPlaced', { customer: { email: ADA.email } });
    const orderId = poison.data.orderId;
    const invalid = { ...poison, data: { ...poison.data, items: [{ productId: '1', quantity: -3, price: 1 }] } };
    const next = buildOrderEvent('OrderConfirmed', { orderId, customer: { email: ADA.email } });

    await producer.send({
      topic: orderTopic,
      acks: -1,
      messages: [{ key: orderId, value: JSON.stringify(invalid), headers: eventHeaders(poison, childTraceparent()) }],
    });
    await publish(next);

    const list = await eventually(
      () => notificationsOf(orderId),
      (l) => l.some((n) => n.status === 'SENT'),
      'the next event notified',
    );
    expect(list.map((n) => [n.eventId, n.eventType, n.channel, n.status]).sort()).toEqual([
      [next.eventId, 'OrderConfirmed', 'email', 'SENT'],
      [next.eventId, 'OrderConfirmed', 'sms', 'SKIPPED'],
    ]);
    const dead = await eventually(deadLetters, (records) => records.some((r) => r.eventId === poison.eventId), 'poison in the DLT');
    expect(dead.find((r) => r.eventId === poison.eventId)).toMatchObject({ errorClass: 'InvalidEventError', key: orderId, attempts: 1 });
  });

  it('when SMS keeps failing, sends the email, records the SMS as FAILED, dead-letters the event; after a restart a DLT replay sends only the SMS', async () => {
    const placed = buildOrderEvent('OrderPlaced', { customer: ADA });
    const orderId = placed.data.orderId;

    await publish(placed);

    const failed = await eventually(
      () => notificationsOf(orderId),
      (list) => list.some((n) => n.channel === 'sms' && n.status === 'FAILED' && n.attempts === 2),
      'SMS failed after the retry budget',
    );
    const email = failed.find((n) => n.channel === 'email')!;
    expect(email).toMatchObject({ status: 'SENT', attempts: 1, recipient: ADA.email });
    expect(failed.find((n) => n.channel === 'sms')).toMatchObject({
      recipient: ADA.phone,
      error: expect.stringContaining('ProviderUnavailableError'),
    });
    const dead = await eventually(deadLetters, (records) => records.some((r) => r.eventId === placed.eventId), 'event in the DLT');
    expect(dead.find((r) => r.eventId === placed.eventId)).toMatchObject({
      errorClass: 'DeliveryIncompleteError',
      attempts: 2,
      key: orderId,
    });

    // The SMS gateway is back: restart without failures, then replay the dead letter the way the README says.
    expect(await service.stop()).toBe(0);
    service = await startService('notificationservice', { dbName, env: { ...env, MOCK_SMS_FAILURE_RATE: '0' } });
    const dlt = [
      'run',
      '-s',
      'dlt',
      '--',
      'replay',
      '--topic',
      orderTopic,
      '--error-class',
      'DeliveryIncompleteError',
      '--key',
      orderId,
      '--brokers',
      kafkaBrokers().join(','),
    ];
    const { stdout } = await run('npm', dlt, { cwd: ROOT });
    expect(stdout).toMatch(/Replayed 1 of \d+ message/);

    const settled = await eventually(
      () => notificationsOf(orderId),
      (list) => list.every((n) => n.status === 'SENT'),
      'SMS sent after the replay',
    );
    const sms = settled.find((n) => n.channel === 'sms')!;
    expect(sms).toMatchObject({ status: 'SENT', attempts: 3 });
    expect(sms.error).toBeUndefined();
    expect(settled.find((n) => n.channel === 'email')).toEqual(email); // untouched: same attempts, same sentAt
    expect([await deliveriesOf(email.id), await deliveriesOf(sms.id)]).toEqual([1, 1]);
    expect(service.logs.filter((line) => line.includes('Mock email sent'))).toEqual([]);
  }, 180_000);

  it('when the same event is published three times, notifies once per channel', async () => {
    const confirmed = buildOrderEvent('OrderConfirmed', { customer: ADA });
    const orderId = confirmed.data.orderId;
    const marker = buildOrderEvent('OrderShipped', { orderId, customer: ADA });

    await publish(confirmed, 3);
    await publish(marker); // same key: handled after the three copies

    const list = await eventually(
      () => notificationsOf(orderId),
      (l) => l.filter((n) => n.status === 'SENT').length === 4,
      'confirmation and marker sent',
    );
    const forConfirmed = list.filter((n) => n.eventId === confirmed.eventId);
    expect(forConfirmed.map((n) => n.channel).sort()).toEqual(['email', 'sms']);
    expect(await Promise.all(forConfirmed.map((n) => deliveriesOf(n.id)))).toEqual([1, 1]);
  });

  it("uses the customer's saved preferences over the contact data in the event; the channel left out is SKIPPED (CHANNEL_DISABLED)", async () => {
    const customerId = uniqueName('cust');
    const saved = await http('PUT', `${service.url}/api/notifications/preferences/${customerId}`, {
      phone: '+447700900123',
      channels: ['sms'],
    });
    expect(saved.status).toBe(201);
    const delivered = buildOrderEvent('OrderDelivered', { customerId, customer: ADA });

    await publish(delivered);

    const list = await eventually(
      () => notificationsOf(delivered.data.orderId),
      (l) => l.some((n) => n.channel === 'sms' && n.status === 'SENT'),
      'SMS by preference',
    );
    expect(list.find((n) => n.channel === 'sms')).toMatchObject({
      status: 'SENT',
      recipient: '+447700900123',
      body: `Your order ${delivered.data.orderId} was delivered. Enjoy!`,
    });
    expect(list.find((n) => n.channel === 'email')).toMatchObject({ status: 'SKIPPED', reason: 'CHANNEL_DISABLED' });
    expect(list).toHaveLength(2);
  });
});
