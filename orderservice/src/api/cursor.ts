import type { PageCursor } from '../services/ports/OrderRepository.js';
import { ENTITY_ID } from './entityId.js';

/** Opaque to clients: base64url of [createdAt in ms, orderId], the position of the last order returned. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.getTime(), cursor.id]), 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined for anything this service did not issue. */
export function decodeCursor(value: string): PageCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [at, id] = parsed as [unknown, unknown];
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0 || typeof id !== 'string' || !ENTITY_ID.test(id)) return undefined;
  return { createdAt: new Date(at), id };
}
