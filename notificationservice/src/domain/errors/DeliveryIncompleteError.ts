import type { Channel } from '../Channel.js';

/**
 * Some channel of an event could not be sent. Transient (not a DomainError): the consumer retries
 * the event, and only the channels not yet SENT are tried again; when the retries run out the event
 * goes to the DLT, from where a replay finishes the job.
 */
export class DeliveryIncompleteError extends Error {
  constructor(readonly failures: Array<{ channel: Channel; error: string }>) {
    super(failures.map((f) => `${f.channel}: ${f.error}`).join('; '));
    this.name = 'DeliveryIncompleteError';
  }
}
