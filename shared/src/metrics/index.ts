export {
  defineCounter,
  defineGauge,
  defineHistogram,
  metrics,
  metricsRegistry,
  type Counter,
  type Gauge,
  type Histogram,
} from './metrics.js';
