import { NotFoundError } from '@orderplatform/shared/errors';

export class PreferencesNotFoundError extends NotFoundError {
  constructor(customerId: string) {
    super('NOTIFICATION.PREFERENCES_NOT_FOUND', `No contact preferences for customer ${customerId}`);
  }
}
