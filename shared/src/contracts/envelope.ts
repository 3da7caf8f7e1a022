import { z } from 'zod';

/** Event envelope (SPEC §4). `data` is typed per event type and version in ./events.ts. */
export const envelopeSchema = z.object({
  eventId: z.uuid(),
  eventType: z.string().min(1).max(100),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1).max(100),
  correlationId: z.string().min(1).max(128),
  causationId: z.string().min(1).max(128).nullable(),
  data: z.unknown(),
});

export type EventEnvelope<TType extends string = string, TData = unknown> = Omit<z.infer<typeof envelopeSchema>, 'eventType' | 'data'> & {
  eventType: TType;
  data: TData;
};
