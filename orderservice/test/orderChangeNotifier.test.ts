import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderChangeNotifier } from '../src/services/OrderChangeNotifier.js';
import { buildOrder } from './support/builders.js';

describe('OrderChangeNotifier', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  afterEach(() => {
    process.off('warning', onWarning);
    warnings.length = 0;
  });

  it('wakes every waiter of an order on a change, and many waiters at once raise no listener-leak warning', async () => {
    process.on('warning', onWarning);
    const notifier = new OrderChangeNotifier();
    const order = buildOrder({ status: 'CONFIRMED' });
    const subscriptions = Array.from({ length: 50 }, () => notifier.subscribe(order.id));
    const waits = subscriptions.map((s) => s.wait(10_000, notifier.closing));
    expect(notifier.waiting).toBe(50);

    notifier.notify(order);
    await Promise.all(waits);
    expect(subscriptions.every((s) => s.latest?.status === 'CONFIRMED')).toBe(true); // the new state, no read needed
    for (const s of subscriptions) s.close();
    await new Promise((resolve) => setImmediate(resolve));

    expect(notifier.waiting).toBe(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('answers every waiter at once on shutdown', async () => {
    const notifier = new OrderChangeNotifier();
    const subscriptions = Array.from({ length: 20 }, (_, i) => notifier.subscribe(`o-${i}`));
    const waits = subscriptions.map((s) => s.wait(10_000, notifier.closing));

    notifier.close();

    await expect(Promise.all(waits)).resolves.toHaveLength(20);
  });
});
