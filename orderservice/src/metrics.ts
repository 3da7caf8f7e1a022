import { defineHistogram } from '@orderplatform/shared/metrics';

/** The order service's own metrics (SPEC §7), beside the kit's (HTTP, outbox, consumers) on the same /metrics. */
export const metrics = {
  sagaDuration: defineHistogram(
    'saga_duration_seconds',
    'Time from PENDING to a terminal state',
    ['outcome'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300],
  ),
};
