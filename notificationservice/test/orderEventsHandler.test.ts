import type { ReliableConsumer } from '@orderplatform/shared/kafka';
import { describe, expect, it } from 'vitest';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import type { OrderEventsHandler } from '../src/events/OrderEventsHandler.js';
import { TOKENS } from '../src/tokens.js';
import { fakePorts, SHORT_LEASE } from './support/fakes.js';
import { buildOrderEvent } from './support/builders.js';

/** Stands in for the ReliableConsumer: keeps the wave handlers registered on it. */
function fakeConsumer() {
  const handlers = new Map<string, (wave: Array<{ event: unknown }>) => Promise<unknown[]>>();
  const consumer = {
    onBatch(eventTypes: string[], handler: (wave: Array<{ event: unknown }>) => Promise<unknown[]>) {
      for (const eventType of eventTypes) handlers.set(eventType, handler);
      return consumer;
    },
  };
  return { consumer: consumer as unknown as ReliableConsumer, handlers };
}

describe('order events handler', () => {
  it('subscribes to every order lifecycle event and turns each into notifications', async () => {
    const { email, register } = fakePorts();
    const { container } = unitService(createService, { env: SHORT_LEASE, register });
    const { consumer, handlers } = fakeConsumer();
    container.resolve<OrderEventsHandler>(TOKENS.OrderEventsHandler).register(consumer);
    const cancelled = buildOrderEvent('OrderCancelled', { orderId: 'ord-9', reason: 'ADMIN_REQUEST' });

    const outcomes = await handlers.get('OrderCancelled')!([{ event: cancelled }]);

    expect([...handlers.keys()]).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderCancelled', 'OrderShipped', 'OrderDelivered']);
    expect(outcomes).toEqual([undefined]);
    expect(email.calls.map((c) => c.subject)).toEqual(['Your order ord-9 was cancelled']);
  });
});
