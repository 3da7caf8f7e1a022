import { z } from 'zod';

const flag = z
  .enum(['true', 'false', 'TRUE', 'FALSE', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === 'TRUE' || value === '1');

/**
 * The OTEL_* variables that decide whether a service records traces (SPEC §7: off by default).
 * Everything else (endpoint, protocol, headers, sampler, batch delays) the SDK reads itself, by the
 * OpenTelemetry specification's names; here only what decides "on or off", and the service name.
 */
export function tracingConfigSchema(serviceName: string) {
  return z.object({
    OTEL_SDK_DISABLED: flag.default(false),
    /** `otlp`, `console`, `zipkin` or `none`, comma-separated; unset means off unless an OTLP endpoint is set. */
    OTEL_TRACES_EXPORTER: z.string().optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ error: 'must be a URL such as http://127.0.0.1:4318' }).optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ error: 'must be a URL such as http://127.0.0.1:4318/v1/traces' }).optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default(serviceName),
  });
}

export type TracingConfig = z.output<ReturnType<typeof tracingConfigSchema>>;

/**
 * On when an exporter or an OTLP endpoint is named and the SDK is not disabled. (The SDK on its own
 * would export to localhost:4318 whenever it is started; the platform starts it only when asked.)
 */
export function tracingEnabled(config: TracingConfig): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  const exporters = (config.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (exporters.includes('none')) return false;
  return (
    exporters.length > 0 || config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined
  );
}
