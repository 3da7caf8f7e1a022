/** Default topic names (SPEC §4); services may override them through config. */
export const TOPICS = {
  orderEvents: 'order-service.order-events',
  inventoryEvents: 'inventory-service.inventory-events',
} as const;

export const DLT_SUFFIX = '.DLT';

/** The dead-letter topic of a consumed topic. */
export const dltTopicOf = (topic: string): string => `${topic}${DLT_SUFFIX}`;
