const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '?' : `${n.toFixed(n < 10 ? 2 : 1)} ms`);
const fixed = (n: unknown) => (typeof n === 'number' ? String(Math.round(n * 100) / 100) : '—');

/** "orderservice 1.2, inventoryservice 0.8, …" for the per-process / per-service figures. */
function breakdown(figures: Record<string, unknown> | undefined): string {
  if (!figures || Object.keys(figures).length === 0) return 'not reported';
  return Object.entries(figures)
    .filter(([k, v]) => typeof v === 'number' && k !== 'atRate' && k !== 'total')
    .map(([k, v]) => `${k.replace('service', '')} ${fixed(v)}`)
    .join(', ');
}

/** The figures of one platform run (this checkout, or the compared commit) as table cells. */
function platformRows(r: any): Array<[string, string]> {
  return [
    ['end to end (held, saga p99 ≤ 1 s)', `${r.endToEnd.ordersPerSec} orders/s (${fixed(r.endToEnd.ratioToFloor)} of floor)`],
    [`CPU ms per order @${r.cpuMsPerOrder.atRate}/s`, `${fixed(r.cpuMsPerOrder.total)}: ${breakdown(r.cpuMsPerOrder)}`],
    ['CPU ms per second at rest', `${fixed(r.endToEnd.idle?.cpuMsPerSec?.total)}: ${breakdown(r.endToEnd.idle?.cpuMsPerSec)}`],
    ['db commands per order', `${fixed(r.commandsPerOrder.total)}: ${breakdown(r.commandsPerOrder)}`],
    ['Kafka requests per order', `${fixed(r.kafkaRequestsPerOrder.total)}: ${breakdown(r.kafkaRequestsPerOrder)}`],
    ['POST /api/orders (max)', `${r.ordersApi.requestsPerSec} req/s, p50 ${ms(r.ordersApi.p50Ms)} p99 ${ms(r.ordersApi.p99Ms)}`],
    [
      'POST /api/orders (half of max)',
      `${r.ordersApiAtHalf.requestsPerSec} req/s, p50 ${ms(r.ordersApiAtHalf.p50Ms)} p99 ${ms(r.ordersApiAtHalf.p99Ms)}`,
    ],
    [
      `saga POST→CONFIRMED at ${r.sagaLatency.rate}/s`,
      `p50 ${ms(r.sagaLatency.p50Ms)} p99 ${ms(r.sagaLatency.p99Ms)} (${r.sagaLatency.orders} orders)`,
    ],
    ['backlog drain', `${r.backlogDrain.ordersPerSec} orders/s (${r.backlogDrain.orders} in ${r.backlogDrain.seconds} s)`],
    [
      `data growth (${r.dataGrowth.history} orders stored)`,
      `${r.dataGrowth.grownOrdersPerSec} vs ${r.dataGrowth.emptyOrdersPerSec} orders/s: ratio ${fixed(r.dataGrowth.ratio)} (seeded ${r.dataGrowth.seed.documentsPerSec} docs/s)`,
    ],
    [
      '  … CPU ms per second at rest, stored',
      `${fixed(r.dataGrowth.idle?.cpuMsPerSec?.total)}: ${breakdown(r.dataGrowth.idle?.cpuMsPerSec)}`,
    ],
  ];
}

export function printSummary(r: any): void {
  const ceiling = (c: any, unit: string) =>
    `${c.opsPerSec} ${unit}${c.docsPerSec ? ` (${c.docsPerSec} docs/s)` : ''}, p50 ${ms(c.p50Ms)} p99 ${ms(c.p99Ms)}`;
  const common: Array<[string, string]> = [
    ['database backend', String(r.mongoBackend)],
    ['plain-driver insertOne (ceiling)', ceiling(r.mongoInsertCeiling, 'ops/s')],
    ['plain-driver insertMany ×100', ceiling(r.mongoInsertManyCeiling, 'ops/s')],
    ['plain-driver bulkWrite ×100', ceiling(r.mongoBulkWriteCeiling, 'ops/s')],
    ['plain kafkajs send (ceiling)', ceiling(r.kafkaProduceCeiling, 'msg/s')],
    [
      'floor (bulk driver + kafkajs batches)',
      `${r.floor.ordersPerSec} orders/s; CPU ms/order ${fixed(r.floor.cpuMsPerOrder?.total)}: ${breakdown(r.floor.cpuMsPerOrder)}; ${fixed(r.floor.commandsPerOrder)} commands, ${fixed(r.floor.kafkaRequestsPerOrder)} Kafka requests per order`,
    ],
  ];
  const width = 40;
  for (const [label, value] of common) console.log(`  ${label.padEnd(width)} ${value}`);
  const mine = platformRows(r);
  if (!r.compare) {
    for (const [label, value] of mine) console.log(`  ${label.padEnd(width)} ${value}`);
    return;
  }
  const base = platformRows(r.compare);
  console.log(`\n  this checkout vs ${r.compare.ref} (${String(r.compare.commit).slice(0, 10)} "${r.compare.subject}"):`);
  mine.forEach(([label, value], i) => {
    console.log(`  ${label.padEnd(width)} this: ${value}`);
    console.log(`  ${''.padEnd(width)} base: ${base[i]![1]}`);
  });
  console.log(
    `  ${'ratios (this ÷ base)'.padEnd(width)} ${Object.entries(r.compare.ratios)
      .map(([k, v]) =>
        typeof v === 'object' && v
          ? `${k} (${Object.entries(v)
              .map(([k2, v2]) => `${k2} ${fixed(v2)}`)
              .join(', ')})`
          : `${k} ${fixed(v)}`,
      )
      .join(', ')}`,
  );
}
