import { orderStatus, type OrderStatus } from '@orderplatform/shared/contracts';
import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal } from '../src/domain/orderStateMachine.js';

const ALLOWED = new Set(['PENDING>CONFIRMED', 'PENDING>CANCELLED', 'CONFIRMED>SHIPPED', 'CONFIRMED>CANCELLED', 'SHIPPED>DELIVERED']);
const pairs = orderStatus.options.flatMap((from) => orderStatus.options.map((to) => [from, to] as [OrderStatus, OrderStatus]));

describe('order state machine (SPEC §2)', () => {
  it.each(pairs)('%s → %s is allowed only if the spec lists it', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
  });

  it('treats only DELIVERED and CANCELLED as terminal', () => {
    expect(orderStatus.options.filter(isTerminal)).toEqual(['CANCELLED', 'DELIVERED']);
  });
});
