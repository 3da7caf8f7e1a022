/**
 * Another handler holds the send lease of this notification and neither finished nor let it lapse
 * while we waited. Transient: by the retry, that send has settled (or its lease has run out).
 */
export class SendInProgressError extends Error {
  constructor(notificationId: string) {
    super(`Notification ${notificationId} is being sent by another handler`);
    this.name = 'SendInProgressError';
  }
}
