import mongoose from 'mongoose';

/**
 * Marks an operator object built by this code (never client input) as safe: services run mongoose
 * with `sanitizeFilter` (SPEC §6), which would otherwise turn `{ $ne: x }` into an equality match.
 */
export const op = <T>(filter: T): T => mongoose.trusted(filter);

export const isDuplicateKey = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
