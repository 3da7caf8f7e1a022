import type { ContactPreferences } from '../../domain/ContactPreferences.js';

export interface PreferencesRepository {
  find(customerId: string): Promise<ContactPreferences | null>;
  /** The stored preferences of these customers (one read), by customerId; a customer without any is absent. */
  findMany(customerIds: readonly string[]): Promise<Map<string, ContactPreferences>>;
  /** Replaces the customer's preferences (fields left out are removed); true when they were created. */
  replace(preferences: ContactPreferences): Promise<{ preferences: ContactPreferences; created: boolean }>;
  /** Stores them unless the customer has preferences already (then leaves those alone); true when stored. */
  createIfAbsent(preferences: ContactPreferences): Promise<boolean>;
  /** True when no customer has preferences. */
  isEmpty(): Promise<boolean>;
}
