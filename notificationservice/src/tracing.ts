// Loaded with `node --import` ahead of main.ts (see package.json "start"): OpenTelemetry must hook
// http, express and mongoose before main.ts's imports load them. Does nothing unless OTEL_* asks for traces.
import { startTracing } from '@orderplatform/shared/tracing';

await startTracing('notificationservice');
