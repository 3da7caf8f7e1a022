import { defineConfig } from 'vitest/config';

const integrationFiles = ['**/*.int.test.ts'];
const e2eFiles = ['**/*.e2e.test.ts'];
const ignored = ['**/node_modules/**', '**/dist/**', '**/.cache/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...ignored, ...integrationFiles, ...e2eFiles],
        },
      },
      {
        // Real Kafka + MongoDB-compatible server; the global setup starts them (or uses KAFKA_BROKERS / DB_URL).
        test: {
          name: 'integration',
          include: [...integrationFiles, ...e2eFiles],
          exclude: ignored,
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
