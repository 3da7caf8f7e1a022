import type { Channel } from '../../domain/Channel.js';
import { renderEmail } from './emailTemplates.js';
import type { OrderLifecycleEvent, RenderedMessage } from './OrderLifecycleEvent.js';
import { renderSms } from './smsTemplates.js';

/** The message for one (event, channel): email has a subject and a body, SMS only a short body. */
export function renderMessage(event: OrderLifecycleEvent, channel: Channel): RenderedMessage {
  return channel === 'email' ? renderEmail(event) : { body: renderSms(event) };
}
