import { DEV_ADMIN_API_KEY } from '@orderplatform/shared/config';
import { describe, expect, it } from 'vitest';
import { freePort, spawnService, waitForHealth, type ServiceName } from '../../tools/lib/serviceProcess.js';
import { bearer, TEST_JWT_SECRET, testTokens } from '../support/customerTokens.js';
import { http } from '../support/http.js';
import { dbUrlFor, kafkaBrokers, uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv } from '../support/services.js';

const PRODUCTION_KEY = 'a-proper-production-admin-key';
const DEV_KEY_PROBLEM =
  'ADMIN_API_KEY: must not be the published dev value when NODE_ENV=production (generate one, e.g. openssl rand -hex 32)';

/** Starts the service as `npm start` does, in production mode, collecting everything it prints. */
async function startInProduction(name: ServiceName, env: Record<string, string | undefined>) {
  const service = spawnService(name, { port: await freePort(), env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env } });
  return { service, output: () => service.logs.join('\n') };
}

/** SPEC §6 / issue 9: production refuses the published dev secrets, and short ones, before it does anything else. */
describe('a service started with NODE_ENV=production', () => {
  it.each<[ServiceName, Record<string, string | undefined>, string]>([
    ['inventoryservice', { ADMIN_API_KEY: DEV_ADMIN_API_KEY }, DEV_KEY_PROBLEM],
    [
      'orderservice',
      { ADMIN_API_KEY: DEV_ADMIN_API_KEY, AUTH_JWT_SECRET: undefined },
      `AUTH_JWT_SECRET: is required when NODE_ENV=production; ${DEV_KEY_PROBLEM}`,
    ],
    [
      'notificationservice',
      { ADMIN_API_KEY: PRODUCTION_KEY, AUTH_JWT_SECRET: 'too-short' },
      'AUTH_JWT_SECRET: must be at least 32 characters when NODE_ENV=production',
    ],
  ])('%s with %o stops: one line on stderr, exit 1', async (name, env, problems) => {
    const { service, output } = await startInProduction(name, env);
    const timer = setTimeout(() => void service.kill(), 30_000);

    const code = await service.exited;

    clearTimeout(timer);
    expect(code).toBe(1);
    expect(output().trimEnd().split('\n')).toEqual([`Invalid configuration: ${problems}`]);
  });

  it('with its own key and secret it starts, and refuses an anonymous read of a customer’s notifications (401)', async () => {
    const prefix = uniqueName('prod-notif');
    const { service, output } = await startInProduction('notificationservice', {
      ...isolatedTopicsEnv(prefix),
      CONSUMER_GROUP_ID: prefix,
      DB_URL: dbUrlFor(prefix),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      ADMIN_API_KEY: PRODUCTION_KEY,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
    });
    try {
      await waitForHealth(service, { timeoutMs: 45_000 });

      const anonymous = await http('GET', `${service.url}/api/notifications?customerId=123`);
      const own = await http('GET', `${service.url}/api/notifications?customerId=123`, undefined, bearer(await testTokens.sign('123')));

      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('AUTH.UNAUTHORIZED');
      expect(own.status).toBe(200);
    } finally {
      await service.stop();
    }
    expect(output()).not.toContain('Invalid configuration');
  });
});
