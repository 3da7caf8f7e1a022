import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { ContactPreferences } from '../domain/ContactPreferences.js';
import { PreferencesNotFoundError } from '../domain/errors/PreferencesNotFoundError.js';
import { TOKENS } from '../tokens.js';
import { DEMO_CONTACTS } from './demoContacts.js';
import type { NotificationRepository } from './ports/NotificationRepository.js';
import type { PreferencesRepository } from './ports/PreferencesRepository.js';

/** A customer's contact preferences: read and replaced as a whole; the demo contacts seeded once. */
@injectable()
export class PreferencesService {
  constructor(
    @inject(TOKENS.PreferencesRepository) private readonly preferences: PreferencesRepository,
    @inject(TOKENS.NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async get(customerId: string): Promise<ContactPreferences> {
    const found = await this.preferences.find(customerId);
    if (!found) throw new PreferencesNotFoundError(customerId);
    return found;
  }

  replace(preferences: ContactPreferences): Promise<{ preferences: ContactPreferences; created: boolean }> {
    return this.preferences.replace(preferences);
  }

  /**
   * Seeds the demo contacts into an empty database only — no preferences and no notification yet —
   * so a database in use never gets them back after its own were changed. Safe when two instances
   * start together (the customerId is the document's _id).
   */
  async seedDemoContacts(): Promise<number> {
    if (!(await this.preferences.isEmpty()) || !(await this.notifications.isEmpty())) return 0;
    let created = 0;
    for (const contact of DEMO_CONTACTS) if (await this.preferences.createIfAbsent(contact)) created += 1;
    if (created > 0) this.logger.child({ component: 'seed' }).info({ customers: created }, 'Demo contact preferences seeded');
    return created;
  }
}
