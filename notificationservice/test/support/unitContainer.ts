import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { ConfigSchema, type Config } from '../../src/config.js';
import { registerComponents } from '../../src/container.js';
import { TOKENS } from '../../src/tokens.js';
import { FakeProvider, InMemoryNotificationRepository, InMemoryPreferencesRepository } from './fakes.js';
import { silentLogger } from './logs.js';

export const testConfig = (env: Record<string, string> = {}): Config => ConfigSchema.parse({ NODE_ENV: 'test', NOTIFICATION_SEND_LEASE_MS: '300', ...env });

/**
 * The service's real wiring with the ports swapped for in-memory fakes through a child container,
 * the way a test of the service logic should see it.
 */
export function unitContainer(config: Config = testConfig()) {
  const base = rootContainer.createChildContainer();
  base.registerInstance(TOKENS.Config, config);
  base.registerInstance(TOKENS.Logger, silentLogger());
  registerComponents(base);

  const fakes = {
    notifications: new InMemoryNotificationRepository(),
    preferences: new InMemoryPreferencesRepository(),
    email: new FakeProvider('email'),
    sms: new FakeProvider('sms'),
  };
  const container: DependencyContainer = base.createChildContainer();
  container.registerInstance(TOKENS.NotificationRepository, fakes.notifications);
  container.registerInstance(TOKENS.PreferencesRepository, fakes.preferences);
  container.registerInstance(TOKENS.EmailProvider, fakes.email);
  container.registerInstance(TOKENS.SmsProvider, fakes.sms);
  return { container, ...fakes };
}
