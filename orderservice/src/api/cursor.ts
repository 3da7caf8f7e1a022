import { ENTITY_ID_PATTERN } from '@orderplatform/shared/contracts';
import type { PageCursor } from '../services/ports/OrderRepository.js';

/**
 * `<createdAt in ms>.<order id>`: the position of the last order of a page. Every string of this
 * form names a position (the page after it), so the pattern in the OpenAPI document is the whole
 * rule; anything else is refused as a cursor this service did not issue.
 */
export const CURSOR_PATTERN = new RegExp(`^(\\d{1,15})\\.(${ENTITY_ID_PATTERN})$`);

export function encodeCursor(cursor: PageCursor): string {
  return `${cursor.createdAt.getTime()}.${cursor.id}`;
}

/** The position a cursor names, or undefined for anything this service did not issue. */
export function decodeCursor(value: string): PageCursor | undefined {
  const match = CURSOR_PATTERN.exec(value);
  if (!match) return undefined;
  // 15 digits stay below Date's limit (8.64e15 ms), so every match is a valid date.
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}
