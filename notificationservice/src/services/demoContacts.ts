import type { ContactPreferences } from '../domain/ContactPreferences.js';

/**
 * Contact preferences seeded into an empty notification database (SPEC §3), the counterpart of the
 * inventory's demo catalog: the task file's customer "123" hears of its order by email and SMS, and
 * the demo's other customers (tools/dev/demo.ts) show a one-channel choice each.
 */
export const DEMO_CONTACTS: readonly ContactPreferences[] = [
  { customerId: '123', email: 'ada@example.com', phone: '+15550100', channels: ['email', 'sms'] },
  { customerId: '456', email: 'bob@example.com', channels: ['email'] },
  { customerId: '789', phone: '+15550199', channels: ['sms'] },
];
