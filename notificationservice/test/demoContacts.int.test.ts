import { childTraceparent, eventHeaders, serializeEvent } from '@orderplatform/shared/contracts';
import { createIdempotentProducer } from '@orderplatform/shared/kafka';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { http } from '../../test/support/http.js';
import { testKafka, uniqueName } from '../../test/support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../../test/support/services.js';
import type { PreferencesService } from '../src/services/PreferencesService.js';
import type { NotificationRepository } from '../src/services/ports/NotificationRepository.js';
import { TOKENS } from '../src/tokens.js';
import { buildDraft, buildOrderEvent } from './support/builders.js';
import { eventually } from '../../tools/lib/eventually.js';

describe('demo contacts against the real database', () => {
  const worlds: Array<TestServiceOf<typeof createService>> = [];
  const world = async () => {
    const created = await startTestService(createService, 'notif-seed');
    worlds.push(created);
    return { ...created, preferences: created.container.resolve<PreferencesService>(TOKENS.PreferencesService) };
  };
  afterAll(async () => {
    await Promise.all(worlds.map((w) => w.close()));
  });

  it('are seeded into an empty database, readable through the API, and only once', async () => {
    const { app, preferences } = await world();

    const first = await Promise.all([preferences.seedDemoContacts(), preferences.seedDemoContacts()]);
    const later = await preferences.seedDemoContacts();

    expect(first[0] + first[1]).toBe(3); // two instances starting together seed each customer once
    expect(later).toBe(0);
    const res = await request(app).get('/api/notifications/preferences/123');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ customerId: '123', email: 'ada@example.com', phone: '+15550100', channels: ['email', 'sms'] });
  });

  it('are not seeded into a database with preferences or with notifications', async () => {
    const withPreferences = await world();
    const withNotifications = await world();
    expect(
      (
        await request(withPreferences.app)
          .put('/api/notifications/preferences/c-1')
          .send({ email: 'c1@example.com', channels: ['email'] })
      ).status,
    ).toBe(201);
    await withNotifications.container.resolve<NotificationRepository>(TOKENS.NotificationRepository).createIfAbsent(buildDraft());

    expect(await withPreferences.preferences.seedDemoContacts()).toBe(0);
    expect(await withNotifications.preferences.seedDemoContacts()).toBe(0);

    expect((await request(withPreferences.app).get('/api/notifications/preferences/123')).status).toBe(404);
    expect((await request(withNotifications.app).get('/api/notifications/preferences/123')).status).toBe(404);
  });
});

/** The service as a process: SEED_DEMO_CONTACTS decides, and an order event for "123" without contact data reaches Ada. */
describe('notificationservice start-up with SEED_DEMO_CONTACTS', () => {
  const topics = isolatedTopicsEnv(uniqueName('notif-seed'));
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  let seeding: RunningService;
  let notSeeding: RunningService;

  beforeAll(async () => {
    const env = (group: string, seed: string) => ({ ...topics, CONSUMER_GROUP_ID: uniqueName(group), SEED_DEMO_CONTACTS: seed });
    [seeding, notSeeding] = await Promise.all([
      startService('notificationservice', { dbName: uniqueName('notif-seed-on'), env: env('notif-seed-on', 'true') }),
      startService('notificationservice', { dbName: uniqueName('notif-seed-off'), env: env('notif-seed-off', 'false') }),
    ]);
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all([seeding?.stop(), notSeeding?.stop()]);
    await producer.disconnect();
  });

  const json = (url: string) => http<{ data: Array<Record<string, unknown>> }>('GET', url);

  it('with true, seeds customer "123" and sends its order events by email and SMS; with false, seeds nothing and records SKIPPED', async () => {
    const placed = buildOrderEvent('OrderPlaced', { customerId: '123', customer: undefined });
    await producer.send({
      topic: topics.ORDER_EVENTS_TOPIC!,
      acks: -1,
      messages: [{ key: placed.data.orderId, value: serializeEvent(placed), headers: eventHeaders(placed, childTraceparent()) }],
    });

    const of = (service: RunningService) => `${service.url}/api/notifications?orderId=${placed.data.orderId}`;
    const sent = await eventually(
      () => json(of(seeding)),
      (r) => r.body.data.filter((n) => n.status === 'SENT').length === 2,
      'email and SMS sent',
    );
    const skipped = await eventually(
      () => json(of(notSeeding)),
      (r) => r.body.data.length === 2,
      'two SKIPPED records',
    );

    expect(sent.body.data.map((n) => [n.channel, n.recipient]).sort()).toEqual([
      ['email', 'ada@example.com'],
      ['sms', '+15550100'],
    ]);
    expect(skipped.body.data.map((n) => [n.channel, n.status, n.reason]).sort()).toEqual([
      ['email', 'SKIPPED', 'NO_CONTACT'],
      ['sms', 'SKIPPED', 'NO_CONTACT'],
    ]);
    expect((await http('GET', `${seeding.url}/api/notifications/preferences/123`)).status).toBe(200);
    expect((await http('GET', `${notSeeding.url}/api/notifications/preferences/123`)).status).toBe(404);
  });
});
