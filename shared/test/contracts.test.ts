import { describe, expect, it } from 'vitest';
import { createEvent, parseEvent, serializeEvent } from '../src/contracts/codec.js';
import { EVENTS } from '../src/contracts/events.js';
import { eventHeaders, readHeaders } from '../src/contracts/headers.js';
import { childTraceparent, isValidTraceparent } from '../src/contracts/traceparent.js';
import { runWithContext } from '../src/context/requestContext.js';
import { orderPlacedV1 } from '../src/contracts/schemas.js';

const placedV1Data = { orderId: 'o-1', customerId: 'c-1', items: [{ productId: '1', quantity: 2, price: 29.99 }], totalAmount: 59.98 };

describe('event contracts', () => {
  it('builds an envelope with the latest version, the current correlation id and the handled event as causation', () => {
    const event = runWithContext({ correlationId: 'corr-1', causationId: 'cause-1' }, () =>
      createEvent('OrderPlaced', { ...placedV1Data, currency: 'EUR' }, { source: 'orderservice' }),
    );

    expect(event).toMatchObject({
      eventType: 'OrderPlaced',
      version: 2,
      source: 'orderservice',
      correlationId: 'corr-1',
      causationId: 'cause-1',
    });
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
  });

  it('refuses to build an event whose payload breaks its schema', () => {
    expect(() => createEvent('OrderPlaced', { ...placedV1Data, items: [], currency: 'EUR' }, { source: 't' })).toThrow();
  });

  it('carries a customer name of 200 characters however many UTF-16 units they take (the API counts characters), not 201', () => {
    const placed = (name: string) => () =>
      createEvent('OrderPlaced', { ...placedV1Data, customer: { name }, currency: 'EUR' }, { source: 't' });

    expect(placed('😀'.repeat(200))).not.toThrow();
    expect(placed('😀'.repeat(201))).toThrow();
  });

  it('a v2 consumer reads a v1 OrderPlaced, with the default currency', () => {
    const v1 = createEvent('OrderPlaced', placedV1Data as never, { source: 'old-orderservice', version: 1 });

    const parsed = parseEvent(serializeEvent(v1));

    expect(parsed).toMatchObject({ kind: 'ok', event: { version: 1, data: { ...placedV1Data, currency: 'USD' } } });
  });

  it('a v1-only consumer reads a v2 OrderPlaced with the v1 schema (extra fields ignored)', () => {
    const v2 = createEvent('OrderPlaced', { ...placedV1Data, currency: 'EUR' }, { source: 'orderservice' });
    const json = JSON.parse(serializeEvent(v2)) as { data: unknown };

    const asV1 = orderPlacedV1.safeParse(json.data);

    expect(asV1.success).toBe(true);
    expect(asV1.data).toEqual(placedV1Data);
  });

  it('reads a version newer than it knows with the newest schema it has (tolerant reader)', () => {
    const v3 = { ...createEvent('OrderPlaced', { ...placedV1Data, currency: 'EUR' }, { source: 'future' }), version: 3 };
    const withNewField = { ...v3, data: { ...v3.data, giftWrap: true } };

    const parsed = parseEvent(JSON.stringify(withNewField));

    expect(parsed).toMatchObject({ kind: 'ok', event: { version: 3, data: { currency: 'EUR' } } });
  });

  it('classifies unknown types, broken JSON and invalid payloads', () => {
    const unknown = { ...createEvent('OrderDelivered', { orderId: 'o', customerId: 'c' }, { source: 't' }), eventType: 'OrderTeleported' };
    const invalid = { ...createEvent('OrderDelivered', { orderId: 'o', customerId: 'c' }, { source: 't' }), data: { orderId: 7 } };

    expect(parseEvent(JSON.stringify(unknown))).toMatchObject({ kind: 'unknown-type', eventType: 'OrderTeleported' });
    expect(parseEvent('{nope')).toMatchObject({ kind: 'invalid', reason: 'value is not valid JSON' });
    expect(parseEvent(null)).toMatchObject({ kind: 'invalid' });
    expect(parseEvent(JSON.stringify(invalid))).toMatchObject({ kind: 'invalid', eventType: 'OrderDelivered' });
    expect(parseEvent(JSON.stringify({ hello: 'world' }))).toMatchObject({ kind: 'invalid' });
  });

  it('puts eventType, eventId, version, correlationId and a W3C traceparent in the headers', () => {
    const event = createEvent('OrderDelivered', { orderId: 'o', customerId: 'c' }, { source: 't', correlationId: 'corr-9' });
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

    const headers = readHeaders(eventHeaders(event, childTraceparent(parent)));

    expect(headers).toMatchObject({ eventType: 'OrderDelivered', eventId: event.eventId, version: '1', correlationId: 'corr-9' });
    expect(isValidTraceparent(headers.traceparent!)).toBe(true);
    expect(headers.traceparent!.split('-')[1]).toBe('0af7651916cd43dd8448eb211c80319c'); // same trace
    expect(headers.traceparent).not.toBe(parent); // new span
  });

  it('starts a new trace instead of continuing one the W3C rules refuse (all-zero ids, version ff, extra fields on 00)', () => {
    const refused = [
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
    ];
    for (const parent of refused) {
      const child = childTraceparent(parent);
      expect(isValidTraceparent(child), child).toBe(true);
      expect(child.split('-')[1], parent).not.toBe(parent.split('-')[1]);
    }
    // A later version may append fields: its trace is continued, as version 00.
    expect(childTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00-more').split('-').slice(0, 2)).toEqual([
      '00',
      '0af7651916cd43dd8448eb211c80319c',
    ]);
  });

  it('every event type maps to one of the two topics', () => {
    expect(new Set(Object.values(EVENTS).map((e) => e.topic))).toEqual(
      new Set(['order-service.order-events', 'inventory-service.inventory-events']),
    );
  });
});
