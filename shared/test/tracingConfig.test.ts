import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/loadConfig.js';
import { startTracing, tracingConfigSchema, tracingEnabled } from '../src/tracing/index.js';

const enabledBy = (env: Record<string, string>) => tracingEnabled(loadConfig(tracingConfigSchema('orderservice'), env));

describe('tracing config (SPEC §7: off by default, on with the standard OTEL_* variables)', () => {
  it('is off when no OTEL_* variable is set, and starting it then loads nothing', async () => {
    expect(enabledBy({})).toBe(false);
    await expect(startTracing('orderservice', {})).resolves.toBe(false);
  });

  it('is on when an exporter or an OTLP endpoint is named', () => {
    expect(enabledBy({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(enabledBy({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(enabledBy({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(enabledBy({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
  });

  it('stays off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, whatever else is set', () => {
    expect(enabledBy({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
    expect(enabledBy({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(false);
  });

  it('names the service after it unless OTEL_SERVICE_NAME says otherwise', () => {
    expect(loadConfig(tracingConfigSchema('orderservice'), {}).OTEL_SERVICE_NAME).toBe('orderservice');
    expect(loadConfig(tracingConfigSchema('orderservice'), { OTEL_SERVICE_NAME: 'orders-eu' }).OTEL_SERVICE_NAME).toBe('orders-eu');
  });

  it('refuses a bad value with one line naming the variable', () => {
    expect(() =>
      loadConfig(tracingConfigSchema('orderservice'), { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_SDK_DISABLED: 'maybe' }),
    ).toThrow(/OTEL_SDK_DISABLED: must be true or false; OTEL_EXPORTER_OTLP_ENDPOINT: must be a URL/);
  });
});
