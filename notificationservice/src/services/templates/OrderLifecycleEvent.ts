import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { NotifiedEventType } from '../../domain/Notification.js';

/** One of the order lifecycle events, as the consumer hands it over (validated, upcast to the latest version). */
export type OrderLifecycleEvent = DomainEvent<NotifiedEventType>;

/** What a template produces: a subject for email, a body for every channel. */
export interface RenderedMessage {
  subject?: string;
  body: string;
}
