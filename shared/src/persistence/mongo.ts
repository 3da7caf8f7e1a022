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
