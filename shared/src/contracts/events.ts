import type { z } from 'zod';
import * as s from './schemas.js';
import { TOPICS } from './topics.js';

interface EventDefinition<TLatest extends z.ZodType> {
  topic: string;
  latestVersion: number;
  /** Every version this code knows, each with how to read it as the latest shape. */
  versions: Record<number, { schema: z.ZodType; upcast: (data: never) => z.infer<TLatest> }>;
}

const same = <T>(data: T): T => data;

function define<TLatest extends z.ZodType>(
  topic: string,
  latest: TLatest,
  older: Record<number, { schema: z.ZodType; upcast: (data: never) => z.infer<TLatest> }> = {},
) {
  const latestVersion = Object.keys(older).length + 1;
  return {
    topic,
    latestVersion,
    versions: { ...older, [latestVersion]: { schema: latest, upcast: same as (data: never) => z.infer<TLatest> } },
  } satisfies EventDefinition<TLatest>;
}

/** The registry of every event type: topic, versions, and the latest payload type. */
export const EVENTS = {
  OrderPlaced: define(TOPICS.orderEvents, s.orderPlacedV2, {
    1: { schema: s.orderPlacedV1, upcast: (data: z.infer<typeof s.orderPlacedV1>) => ({ ...data, currency: s.DEFAULT_CURRENCY }) },
  }),
  OrderConfirmed: define(TOPICS.orderEvents, s.orderConfirmedV1),
  OrderCancelled: define(TOPICS.orderEvents, s.orderCancelledV1),
  OrderShipped: define(TOPICS.orderEvents, s.orderShippedV1),
  OrderDelivered: define(TOPICS.orderEvents, s.orderDeliveredV1),
  InventoryReserved: define(TOPICS.inventoryEvents, s.inventoryReservedV1),
  InventoryFailed: define(TOPICS.inventoryEvents, s.inventoryFailedV1),
  InventoryReleased: define(TOPICS.inventoryEvents, s.inventoryReleasedV1),
};

export type EventType = keyof typeof EVENTS;
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];

/** Payload of each event type in its latest version: what handlers receive. */
export interface EventDataMap {
  OrderPlaced: z.infer<typeof s.orderPlacedV2>;
  OrderConfirmed: z.infer<typeof s.orderConfirmedV1>;
  OrderCancelled: z.infer<typeof s.orderCancelledV1>;
  OrderShipped: z.infer<typeof s.orderShippedV1>;
  OrderDelivered: z.infer<typeof s.orderDeliveredV1>;
  InventoryReserved: z.infer<typeof s.inventoryReservedV1>;
  InventoryFailed: z.infer<typeof s.inventoryFailedV1>;
  InventoryReleased: z.infer<typeof s.inventoryReleasedV1>;
}

export type OrderPlacedV1Data = z.infer<typeof s.orderPlacedV1>;
export type CancelReason = z.infer<typeof s.cancelReason>;
export type OrderStatus = z.infer<typeof s.orderStatus>;
export type Contact = z.infer<typeof s.contactSchema>;
export type Shortfall = z.infer<typeof s.shortfallSchema>;

export const isEventType = (value: string): value is EventType => Object.hasOwn(EVENTS, value);
