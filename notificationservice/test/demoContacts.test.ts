import { describe, expect, it } from 'vitest';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { ConfigSchema } from '../src/config.js';
import type { PreferencesService } from '../src/services/PreferencesService.js';
import { TOKENS } from '../src/tokens.js';
import { fakePorts, testConfig, SHORT_LEASE } from './support/fakes.js';
import { buildDraft, buildPreferences } from './support/builders.js';

function arrange() {
  const fakes = fakePorts();
  const { container } = unitService(createService, { env: SHORT_LEASE, register: fakes.register });
  return { ...fakes, service: container.resolve<PreferencesService>(TOKENS.PreferencesService) };
}

describe('seeding the demo contacts', () => {
  it('into an empty database, stores email and SMS for the task file\'s customer "123" and the demo\'s other customers, once', async () => {
    const { service, preferences } = arrange();

    expect(await service.seedDemoContacts()).toBe(3);
    expect(await service.seedDemoContacts()).toBe(0);

    expect(await service.get('123')).toMatchObject({ email: 'ada@example.com', phone: '+15550100', channels: ['email', 'sms'] });
    expect([...preferences.stored.keys()].sort()).toEqual(['123', '456', '789']);
  });

  it('when some customer has preferences already, seeds nothing', async () => {
    const { service, preferences } = arrange();
    preferences.stored.set('someone', buildPreferences({ customerId: 'someone' }));

    expect(await service.seedDemoContacts()).toBe(0);

    expect([...preferences.stored.keys()]).toEqual(['someone']);
  });

  it('when notifications were recorded already (a database in use), seeds nothing', async () => {
    const { service, preferences, notifications } = arrange();
    await notifications.createIfAbsent(buildDraft());

    expect(await service.seedDemoContacts()).toBe(0);

    expect(preferences.stored.size).toBe(0);
  });
});

describe('SEED_DEMO_CONTACTS', () => {
  it('is on unless set to false, and refuses anything but true or false', () => {
    expect(testConfig().SEED_DEMO_CONTACTS).toBe(true);
    expect(testConfig({ SEED_DEMO_CONTACTS: 'false' }).SEED_DEMO_CONTACTS).toBe(false);
    expect(ConfigSchema.safeParse({ SEED_DEMO_CONTACTS: 'no' }).success).toBe(false);
  });
});
