import 'reflect-metadata';
import { registerGracefulShutdown } from '@orderplatform/shared/lifecycle';
import { createService } from './createService.js';

// Tracing is started by `node --import ./src/tracing.ts` (package.json), before anything here loads.
const service = createService();
await service.start();
registerGracefulShutdown({ logger: service.logger, steps: [{ name: 'orderservice', run: () => service.stop() }] });
