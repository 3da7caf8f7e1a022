import mongoose from 'mongoose';

/**
 * Marks an operator object built by our own code (never client input) as an operator. Services run
 * mongoose with `sanitizeFilter` (SPEC §6), which would otherwise turn `{ $in: […] }` into an
 * equality match that silently matches nothing.
 */
export const trusted = <T>(filter: T): T => mongoose.trusted(filter) as T;

/** MongoDB's duplicate-key error (a unique index refused the write). */
export const isDuplicateKeyError = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;

/**
 * The positions an unordered bulk insert refused as duplicates (a unique index kept the earlier
 * document), when that is all it refused; undefined when the error is anything else (rethrow it).
 * The other documents of the call were written.
 */
export function duplicateKeyIndexes(err: unknown): Set<number> | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { writeErrors } = err as { writeErrors?: unknown };
  if (writeErrors === undefined) return undefined;
  const list = (Array.isArray(writeErrors) ? writeErrors : [writeErrors]) as Array<{
    index?: unknown;
    code?: unknown;
    err?: { code?: unknown };
  }>;
  if (list.length === 0) return undefined;
  const indexes = new Set<number>();
  for (const e of list) {
    const code = e.code ?? e.err?.code;
    if (code !== 11000 || typeof e.index !== 'number') return undefined;
    indexes.add(e.index);
  }
  return indexes;
}
