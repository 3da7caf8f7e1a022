import { describe, expect, it } from 'vitest';
import type { HoldRequest } from '../src/services/ports/ProductRepository.js';
import { WaveHolds } from '../src/services/WaveHolds.js';
import { buildProduct } from './support/builders.js';
import { FakeProductRepository } from './support/FakeProductRepository.js';

/** A fake product store that records each holdTogether call's orders. */
function recordingProducts(stock: Record<string, number>) {
  const products = new FakeProductRepository(Object.entries(stock).map(([productId, available]) => buildProduct({ productId, available })));
  const writes: string[][] = [];
  const holdTogether = products.holdTogether.bind(products);
  products.holdTogether = (requests: ReadonlyArray<HoldRequest>) => {
    writes.push(requests.map((r) => r.orderId));
    return holdTogether(requests);
  };
  return { products, writes };
}

describe('WaveHolds', () => {
  it('orders asking while a write is in flight go together in the next write, up to ordersPerWrite each', async () => {
    const { products, writes } = recordingProducts({ a: 100 });
    const holds = new WaveHolds(products, 3);
    const first = holds.holdAll('o1', [{ productId: 'a', quantity: 1 }], 'x1');
    await new Promise((resolve) => setImmediate(resolve)); // o1's write is on its way
    const rest = ['o2', 'o3', 'o4', 'o5'].map((id) => holds.holdAll(id, [{ productId: 'a', quantity: 1 }], `x-${id}`));

    expect(await Promise.all([first, ...rest])).toEqual(Array(5).fill(true));
    expect(writes).toEqual([['o1'], ['o2', 'o3', 'o4'], ['o5']]);
    expect(products.snapshot('a')).toMatchObject({ available: 95, reserved: 5 });
  });

  it('an order whose product cannot take everyone together answers false (the careful path), the others true', async () => {
    const { products } = recordingProducts({ a: 1, b: 5 });
    const holds = new WaveHolds(products);
    const answers = await Promise.all([
      holds.holdAll('o1', [{ productId: 'a', quantity: 1 }], 'x1'),
      holds.holdAll('o2', [{ productId: 'a', quantity: 1 }], 'x2'),
      holds.holdAll('o3', [{ productId: 'b', quantity: 5 }], 'x3'),
    ]);
    expect(answers).toEqual([false, false, true]);
    expect(products.snapshot('a')).toMatchObject({ available: 1, reserved: 0, pending: [] });
  });

  it('the same order twice never shares a write with itself: its second ask holds nothing again', async () => {
    const { products, writes } = recordingProducts({ a: 10 });
    const holds = new WaveHolds(products);
    const answers = await Promise.all([
      holds.holdAll('o1', [{ productId: 'a', quantity: 2 }], 'x1'),
      holds.holdAll('o1', [{ productId: 'a', quantity: 2 }], 'x2'),
    ]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(writes).toEqual([['o1']]);
    expect(products.snapshot('a')).toMatchObject({ available: 8, reserved: 2 });
    expect(products.snapshot('a')!.pending).toHaveLength(1);
  });
});
