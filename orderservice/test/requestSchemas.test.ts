import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/api/cursor.js';
import { createOrderBody, getOrderQuery, listOrdersQuery } from '../src/api/requestSchemas.js';
import { buildOrderRequest } from './support/builders.js';

const issuesOf = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => result.error?.issues.map((i) => i.path.join('.'));

describe('request schemas', () => {
  it('accepts a valid order', () => {
    expect(createOrderBody.safeParse(buildOrderRequest()).success).toBe(true);
  });

  it.each([
    ['a 3-decimal price', { items: [{ productId: 'p', quantity: 1, price: 1.005 }] }, 'items.0.price'],
    ['a zero price', { items: [{ productId: 'p', quantity: 1, price: 0 }] }, 'items.0.price'],
    ['a fractional quantity', { items: [{ productId: 'p', quantity: 1.5, price: 1 }] }, 'items.0.quantity'],
    ['a huge quantity', { items: [{ productId: 'p', quantity: 1001, price: 1 }] }, 'items.0.quantity'],
    ['a product twice', { items: [{ productId: 'p', quantity: 1, price: 1 }, { productId: 'p', quantity: 1, price: 1 }] }, 'items.1.productId'],
    ['no items', { items: [] }, 'items'],
    ['a bad customer id', { customerId: 'a b' }, 'customerId'],
    ['a bad email', { customer: { email: 'not-an-email' } }, 'customer.email'],
    ['an unknown key in a line', { items: [{ productId: 'p', quantity: 1, price: 1, discount: 1 }] }, 'items.0'],
  ])('refuses %s', (_name, overrides, path) => {
    expect(issuesOf(createOrderBody.safeParse(buildOrderRequest(overrides as never)))).toContain(path);
  });

  it('reads waitFor as a list of statuses and caps timeoutMs at 30 s', () => {
    expect(getOrderQuery.parse({ waitFor: 'CONFIRMED,CANCELLED', timeoutMs: '5000' })).toEqual({ waitFor: ['CONFIRMED', 'CANCELLED'], timeoutMs: 5000 });
    expect(getOrderQuery.safeParse({ waitFor: 'CONFIRMED', timeoutMs: '30001' }).success).toBe(false);
    expect(getOrderQuery.safeParse({ waitFor: 'SOON' }).success).toBe(false);
  });

  it('round-trips a cursor and refuses one it did not issue', () => {
    const cursor = { createdAt: new Date('2026-01-01T00:00:00.123Z'), id: 'abc' };

    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(listOrdersQuery.safeParse({ cursor: 'bm90LWEtY3Vyc29y' }).success).toBe(false);
    expect(listOrdersQuery.parse({})).toEqual({ limit: 20 });
  });
});
