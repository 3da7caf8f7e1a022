import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/api/cursor.js';
import { createOrderBody, getOrderQuery, listOrdersQuery } from '../src/api/requestSchemas.js';
import { buildOrderRequest } from './support/builders.js';

const issuesOf = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  result.error?.issues.map((i) => i.path.join('.'));

describe('request schemas', () => {
  it('accepts a valid order', () => {
    expect(createOrderBody.safeParse(buildOrderRequest()).success).toBe(true);
  });

  it.each([
    ['a 3-decimal price', { items: [{ productId: 'p', quantity: 1, price: 1.005 }] }, 'items.0.price'],
    ['a zero price', { items: [{ productId: 'p', quantity: 1, price: 0 }] }, 'items.0.price'],
    ['a fractional quantity', { items: [{ productId: 'p', quantity: 1.5, price: 1 }] }, 'items.0.quantity'],
    ['a huge quantity', { items: [{ productId: 'p', quantity: 1001, price: 1 }] }, 'items.0.quantity'],
    ['the smallest double as a price', { items: [{ productId: 'p', quantity: 1, price: 5e-324 }] }, 'items.0.price'],
    ['no items', { items: [] }, 'items'],
    ['a bad customer id', { customerId: 'a b' }, 'customerId'],
    ['a bad email', { customer: { email: 'not-an-email' } }, 'customer.email'],
    ['an email with two dots in a row', { customer: { email: 'a..b@example.com' } }, 'customer.email'],
    ['a blank name', { customer: { name: ' \u3000\ufeff' } }, 'customer.name'],
    ['a name over 200 characters', { customer: { name: 'é'.repeat(201) } }, 'customer.name'],
    ['an unknown key in a line', { items: [{ productId: 'p', quantity: 1, price: 1, discount: 1 }] }, 'items.0'],
  ])('refuses %s', (_name, overrides, path) => {
    expect(issuesOf(createOrderBody.safeParse(buildOrderRequest(overrides as never)))).toContain(path);
  });

  it('accepts a product on two lines (inventory holds their sum), prices with 2 decimals, and an atext email', () => {
    const lines = [
      { productId: 'p', quantity: 1, price: 0.07 },
      { productId: 'p', quantity: 2, price: 999_999.99 },
    ];

    expect(
      createOrderBody.safeParse(buildOrderRequest({ items: lines, customer: { email: "o'neil+shop!@mail.example.org", name: '  Ada  ' } })),
    ).toMatchObject({
      success: true,
      data: { items: lines, customer: { name: 'Ada' } },
    });
  });

  it('reads waitFor as a comma-separated list of distinct statuses and caps timeoutMs at the configured maximum', () => {
    expect(getOrderQuery().parse({ waitFor: 'CONFIRMED,CANCELLED', timeoutMs: '5000' })).toEqual({
      waitFor: ['CONFIRMED', 'CANCELLED'],
      timeoutMs: 5000,
    });
    expect(getOrderQuery().safeParse({ waitFor: 'CONFIRMED', timeoutMs: '30001' }).success).toBe(false);
    expect(getOrderQuery(1000).safeParse({ waitFor: 'CONFIRMED', timeoutMs: '1001' }).success).toBe(false);
    for (const waitFor of ['SOON', 'CONFIRMED,CONFIRMED', 'CONFIRMED, CANCELLED', '', 'CONFIRMED,']) {
      expect(getOrderQuery().safeParse({ waitFor }).success, waitFor).toBe(false);
    }
    for (const timeoutMs of ['-1', '1e3', '0x10', ' 5', '']) {
      expect(getOrderQuery().safeParse({ timeoutMs }).success, timeoutMs).toBe(false);
    }
  });

  it('round-trips a cursor, takes any position of the documented form, and refuses anything else', () => {
    const cursor = { createdAt: new Date('2026-01-01T00:00:00.123Z'), id: 'abc' };

    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(listOrdersQuery.parse({ cursor: '999999999999999.x' }).cursor).toEqual({ createdAt: new Date(999_999_999_999_999), id: 'x' });
    expect(listOrdersQuery.parse({})).toEqual({ limit: 20 });
    for (const bad of ['bm90LWEtY3Vyc29y', '1.', '.abc', '1234567890123456.abc', '1.a b', '-1.abc']) {
      const result = listOrdersQuery.safeParse({ cursor: bad });
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/not a cursor this service issued/);
    }
  });
});
