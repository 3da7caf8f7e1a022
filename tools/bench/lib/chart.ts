/**
 * A small self-contained SVG of the benchmark report: orders/s against the floor (with the compared
 * commit when there is one), CPU per order by process, raw ceilings and latencies.
 */
export function renderChart(r: Record<string, any>): string {
  const base = r.compare as Record<string, any> | undefined;
  const width = 820;
  const barArea = 430;
  const left = 230;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [];
  let y = 36;
  const title = (text: string) => {
    parts.push(`<text x="10" y="${y}" font-size="16" font-weight="bold">${esc(text)}</text>`);
    y += 14;
  };
  const bars = (rows: Array<[string, number | undefined, string?]>, color: string) => {
    const max = Math.max(...rows.map(([, v]) => v ?? 0), 1);
    for (const [label, v, note] of rows) {
      const value = v ?? 0;
      const w = (value / max) * barArea;
      parts.push(
        `<text x="10" y="${y + 14}" font-size="12">${esc(label)}</text><rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${color}"/>` +
          `<text x="${left + w + 6}" y="${y + 14}" font-size="12">${esc(v === undefined ? 'n/a' : `${value}${note ?? ''}`)}</text>`,
      );
      y += 24;
    }
    y += 16;
  };

  title(`Orders per second — ${r.run} (${r.mongoBackend} backend)`);
  const orders: Array<[string, number | undefined, string?]> = [
    ['floor (bulk driver + batches)', r.floor?.ordersPerSec],
    ['end to end, held', r.endToEnd?.ordersPerSec, ` (${r.endToEnd?.ratioToFloor ?? '?'} of floor)`],
    [`end to end, ${r.dataGrowth?.history ?? '?'} stored`, r.dataGrowth?.grownOrdersPerSec, ` (ratio ${r.dataGrowth?.ratio ?? '?'})`],
    ['backlog drain', r.backlogDrain?.ordersPerSec],
    ['POST /api/orders (max)', r.ordersApi?.requestsPerSec],
  ];
  if (base) {
    orders.push(
      [`${base.ref}: end to end`, base.endToEnd?.ordersPerSec],
      [`${base.ref}: ${base.dataGrowth?.history ?? '?'} stored`, base.dataGrowth?.grownOrdersPerSec],
      [`${base.ref}: backlog drain`, base.backlogDrain?.ordersPerSec],
      [`${base.ref}: POST /api/orders`, base.ordersApi?.requestsPerSec],
    );
  }
  bars(orders, '#4c78a8');

  title('CPU ms per order, by process');
  const colors = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756', '#72b7b2', '#9d755d'];
  const stacks: Array<[string, Record<string, number> | undefined]> = [
    ['floor', r.floor?.cpuMsPerOrder],
    [`end to end @${r.cpuMsPerOrder?.atRate ?? '?'}/s`, r.cpuMsPerOrder],
    ...(base
      ? ([[`${base.ref} @${base.cpuMsPerOrder?.atRate ?? '?'}/s`, base.cpuMsPerOrder]] as Array<
          [string, Record<string, number> | undefined]
        >)
      : []),
  ];
  const procs = [...new Set(stacks.flatMap(([, s]) => Object.keys(s ?? {}).filter((k) => k !== 'total' && k !== 'atRate')))];
  const maxTotal = Math.max(...stacks.map(([, s]) => s?.total ?? 0), 1);
  for (const [label, s] of stacks) {
    let x = left;
    parts.push(`<text x="10" y="${y + 14}" font-size="12">${esc(label)}</text>`);
    procs.forEach((proc, i) => {
      const w = ((s?.[proc] ?? 0) / maxTotal) * barArea;
      if (w > 0)
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${colors[i % colors.length]}"><title>${esc(proc)} ${s?.[proc]}</title></rect>`,
        );
      x += w;
    });
    parts.push(`<text x="${x + 6}" y="${y + 14}" font-size="12">${s?.total ?? 'n/a'}</text>`);
    y += 24;
  }
  let lx = 10;
  procs.forEach((proc, i) => {
    parts.push(
      `<rect x="${lx}" y="${y}" width="10" height="10" fill="${colors[i % colors.length]}"/><text x="${lx + 14}" y="${y + 9}" font-size="11">${esc(proc)}</text>`,
    );
    lx += 24 + proc.length * 6.5;
  });
  y += 34;

  title('Raw ceilings (operations/s; bulk calls write 100 documents each)');
  bars(
    [
      ['insertOne', r.mongoInsertCeiling?.opsPerSec],
      ['insertMany ×100', r.mongoInsertManyCeiling?.opsPerSec, ` (${r.mongoInsertManyCeiling?.docsPerSec ?? '?'} docs/s)`],
      ['bulkWrite ×100', r.mongoBulkWriteCeiling?.opsPerSec, ` (${r.mongoBulkWriteCeiling?.docsPerSec ?? '?'} docs/s)`],
      ['kafkajs send', r.kafkaProduceCeiling?.opsPerSec],
    ],
    '#72b7b2',
  );

  title('Latency (ms): p50 dark, p99 light');
  const latency: Array<[string, number, number]> = [
    ['API (max)', r.ordersApi.p50Ms, r.ordersApi.p99Ms],
    ['API (half)', r.ordersApiAtHalf.p50Ms, r.ordersApiAtHalf.p99Ms],
    [`saga @${r.sagaLatency.rate}/s`, r.sagaLatency.p50Ms, r.sagaLatency.p99Ms],
  ];
  if (base) latency.push([`${base.ref}: saga @${base.sagaLatency.rate}/s`, base.sagaLatency.p50Ms, base.sagaLatency.p99Ms]);
  const maxL = Math.max(...latency.map(([, , p99]) => p99), 1);
  for (const [label, p50, p99] of latency) {
    const w99 = (p99 / maxL) * barArea;
    const w50 = (p50 / maxL) * barArea;
    parts.push(
      `<text x="10" y="${y + 14}" font-size="12">${esc(label)}</text><rect x="${left}" y="${y}" width="${w99.toFixed(1)}" height="18" fill="#9ecae9"/><rect x="${left}" y="${y}" width="${w50.toFixed(1)}" height="18" fill="#1f5f99"/><text x="${left + w99 + 6}" y="${y + 14}" font-size="12">${p50} / ${p99}</text>`,
    );
    y += 24;
  }
  const height = y + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}
