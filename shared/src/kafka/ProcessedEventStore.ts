/** Remembers which events a consumer group has fully handled (the eventId dedupe of SPEC §5). */
export interface ProcessedEventStore {
  has(group: string, eventId: string): Promise<boolean>;
  /** Which of these events were processed already: one lookup for a whole fetched batch. */
  processedAmong(group: string, eventIds: string[]): Promise<Set<string>>;
  /** Durable before the offset is committed; recording twice is harmless. */
  record(group: string, eventId: string, eventType: string): Promise<void>;
  /** `record` for a whole wave in one write; recording twice is harmless. */
  recordMany(group: string, events: ReadonlyArray<{ eventId: string; eventType: string }>): Promise<void>;
}
