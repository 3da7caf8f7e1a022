import { createRequire } from 'node:module';
import { loadConfigOrExit, type ConfigEnv } from '../config/loadConfig.js';
import { setTracingShutdown } from './tracingLifecycle.js';
import { tracingConfigSchema, tracingEnabled, type TracingConfig } from './tracingConfig.js';

/**
 * The instrumentations hook `require`. The services `import` these CommonJS packages from ESM, which
 * loads them without passing that hook (only a package some other CommonJS module requires, as
 * swagger-ui-express requires express, would be patched). Requiring them once here, right after the
 * hook is in place, patches the one cached copy that every later `import` then receives.
 */
const INSTRUMENTED_PACKAGES = ['express', 'mongoose'];

/** Probes and scrapes would be most of the spans and tell nothing about an order. */
const UNTRACED_PATHS = /^\/(health\/|metrics(\?|$))/;

/**
 * Starts OpenTelemetry tracing when the OTEL_* environment asks for it (SPEC §7); otherwise loads
 * nothing of the SDK, and the platform's traceparent headers work as before. Must run before
 * express and mongoose are first imported: each service's `src/tracing.ts`, loaded with
 * `node --import`, awaits it. Kafka spans are not the kafkajs instrumentation's: the outbox relay
 * publishes many orders' events in one sendBatch and the consumer handles whole batches, so
 * `messagingSpans.ts` starts one span per event, each in its own order's trace.
 * `env` defaults to the process environment (through the config loader).
 */
export async function startTracing(serviceName: string, env?: ConfigEnv): Promise<boolean> {
  const config = loadConfigOrExit(tracingConfigSchema(serviceName), env);
  if (!tracingEnabled(config)) return false;
  await startSdk(config);
  const require = createRequire(import.meta.url);
  for (const name of INSTRUMENTED_PACKAGES) require(name);
  return true;
}

async function startSdk(config: TracingConfig): Promise<void> {
  const [{ NodeSDK }, { ExpressInstrumentation, ExpressLayerType }, { HttpInstrumentation }, { MongooseInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-express'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-mongoose'),
    ]);
  // Exporter, endpoint, protocol, sampler and batching come from the standard OTEL_* variables, read by the SDK.
  const sdk = new NodeSDK({
    serviceName: config.OTEL_SERVICE_NAME,
    // Traces only: the platform's metrics are Prometheus (/metrics) and its logs are pino.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? '') }),
      // The route handler's span names the route; a span per middleware or router would only add cost.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
      // No query text (no dbStatementSerializer): it would carry customers' email addresses and phone numbers.
      new MongooseInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  setTracingShutdown(() => sdk.shutdown());
}
