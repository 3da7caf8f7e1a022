import { NotFoundError } from '@orderplatform/shared';
import { inject, injectable } from 'tsyringe';
import type { ContactPreferences } from '../domain/ContactPreferences.js';
import { TOKENS } from '../tokens.js';
import type { PreferencesRepository } from './ports/PreferencesRepository.js';

/** A customer's contact preferences: read and replaced as a whole. */
@injectable()
export class PreferencesService {
  constructor(@inject(TOKENS.PreferencesRepository) private readonly preferences: PreferencesRepository) {}

  async get(customerId: string): Promise<ContactPreferences> {
    const found = await this.preferences.find(customerId);
    if (!found) throw new NotFoundError('NOTIFICATION.PREFERENCES_NOT_FOUND', `No contact preferences for customer ${customerId}`);
    return found;
  }

  replace(preferences: ContactPreferences): Promise<{ preferences: ContactPreferences; created: boolean }> {
    return this.preferences.replace(preferences);
  }
}
