import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { ReliableConsumer, WaveEvent, WaveHandler } from '@orderplatform/shared/kafka';
import { describe, expect, it } from 'vitest';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import type { OrderEventsHandler } from '../src/events/OrderEventsHandler.js';
import type { MarkerRemoval } from '../src/services/ports/ProductRepository.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder, buildProduct, fakeRepositories } from './support/builders.js';

type OrderEvent = 'OrderPlaced' | 'OrderCancelled' | 'OrderShipped';

/** The wave handler OrderEventsHandler registers, over in-memory repositories that log each removeMarkers call. */
function arrange(stock: Record<string, number>) {
  const fakes = fakeRepositories(Object.entries(stock).map(([productId, available]) => buildProduct({ productId, available })));
  const removeCalls: MarkerRemoval[][] = [];
  const remove = fakes.products.removeMarkers.bind(fakes.products);
  fakes.products.removeMarkers = async (removals) => {
    removeCalls.push([...removals]);
    await remove(removals);
  };
  const { container } = unitService(createService, { register: fakes.register });
  let handler: WaveHandler<OrderEvent> | undefined;
  const consumer = {
    onBatch(_types: readonly OrderEvent[], registered: WaveHandler<OrderEvent>) {
      handler = registered;
      return this;
    },
  } as unknown as ReliableConsumer;
  container.resolve<OrderEventsHandler>(TOKENS.OrderEventsHandler).register(consumer);
  const wave = (events: Array<DomainEvent<OrderEvent>>) =>
    handler!(events.map((event) => ({ event, run: (work) => work() }) as WaveEvent<OrderEvent>));
  return { ...fakes, removeCalls, wave };
}

const placed = (order: ReturnType<typeof buildOrder>) =>
  ({ eventType: 'OrderPlaced', data: { orderId: order.orderId, items: order.items } }) as unknown as DomainEvent<'OrderPlaced'>;

describe('OrderEventsHandler waves', () => {
  it('a wave of 20 orders on the same products: their pulls go out in ceil(20 / 8) writes, all before the wave resolves', async () => {
    const { products, removeCalls, wave } = arrange({ A: 100, B: 100 });
    const orders = Array.from({ length: 20 }, () =>
      buildOrder([
        ['A', 1],
        ['B', 2],
      ]),
    );

    const outcomes = await wave(orders.map(placed));

    expect(outcomes).toEqual(Array(20).fill(undefined)); // every event applied
    expect(removeCalls).toHaveLength(3); // 8 + 8 + 4 orders' pulls (one call per order without the wave's MarkerPulls: 20)
    expect(removeCalls.flat()).toHaveLength(40);
    expect(products.snapshot('A')).toMatchObject({ available: 80, reserved: 20, pending: [] });
    expect(products.snapshot('B')).toMatchObject({ available: 60, reserved: 40, pending: [] });
  });

  it('a wave whose pull write fails rejects as a whole (the kit then retries its events one by one)', async () => {
    const { products, wave } = arrange({ A: 100 });
    products.removeMarkers = () => Promise.reject(new Error('database gone'));

    await expect(wave([placed(buildOrder([['A', 1]]))])).rejects.toThrow('database gone');
  });
});
