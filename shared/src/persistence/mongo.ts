import mongoose, { type InsertManyOptions, type Model } from 'mongoose';

/**
 * Marks an operator object built by our own code (never client input) as an operator. Services run
 * mongoose with `sanitizeFilter` (SPEC §6), which would otherwise turn `{ $in: […] }` into an
 * equality match that silently matches nothing.
 */
export const trusted = <T>(filter: T): T => mongoose.trusted(filter) as T;

/**
 * Inserts documents the caller has already validated (zod at the edge, the domain's own rules) and
 * built in the schema's shape, with every default set. mongoose's lean insertMany: it skips
 * hydrating, casting and validating each document, which was most of an insert's CPU, and the
 * insert is still traced. Absent optional fields are left out, never stored as null (a sparse
 * unique index would count null as a value). Unordered: a duplicate refuses only itself (see
 * duplicateKeyIndexes); ordered, the first refusal stops the rest.
 */
export async function insertValidated<T>(model: Model<T>, docs: readonly object[], { ordered = true } = {}): Promise<void> {
  // ignoreUndefined is the driver's serializer option; mongoose hands its options through.
  const options = { ordered, lean: true, ignoreUndefined: true } as InsertManyOptions;
  await model.insertMany(docs as never[], options);
}

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
