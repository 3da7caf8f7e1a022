/** A small self-contained SVG of the benchmark report: throughput bars and latency bars. */
export function renderChart(r: Record<string, any>): string {
  const throughput: Array<[string, number]> = [
    ['insertOne ceiling', r.mongoInsertCeiling.opsPerSec],
    ['kafkajs send ceiling', r.kafkaProduceCeiling.opsPerSec],
    ['POST /api/orders', r.ordersApi.requestsPerSec],
    ['backlog drain', r.backlogDrain.ordersPerSec],
  ];
  const latency: Array<[string, number, number]> = [
    ['insertOne', r.mongoInsertCeiling.p50Ms, r.mongoInsertCeiling.p99Ms],
    ['kafkajs send', r.kafkaProduceCeiling.p50Ms, r.kafkaProduceCeiling.p99Ms],
    ['API (max)', r.ordersApi.p50Ms, r.ordersApi.p99Ms],
    ['API (half)', r.ordersApiAtHalf.p50Ms, r.ordersApiAtHalf.p99Ms],
    [`saga @${r.sagaLatency.rate}/s`, r.sagaLatency.p50Ms, r.sagaLatency.p99Ms],
  ];
  const width = 760;
  const barArea = 420;
  const left = 170;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [];
  let y = 40;
  parts.push(`<text x="10" y="24" font-size="16" font-weight="bold">Throughput (ops/s) — ${esc(r.run)}</text>`);
  const maxT = Math.max(...throughput.map(([, v]) => v), 1);
  for (const [label, v] of throughput) {
    const w = (v / maxT) * barArea;
    parts.push(`<text x="10" y="${y + 14}" font-size="12">${esc(label)}</text><rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="18" fill="#4c78a8"/><text x="${left + w + 6}" y="${y + 14}" font-size="12">${v}</text>`);
    y += 26;
  }
  y += 20;
  parts.push(`<text x="10" y="${y}" font-size="16" font-weight="bold">Latency (ms): p50 dark, p99 light</text>`);
  y += 16;
  const maxL = Math.max(...latency.map(([, , p99]) => p99), 1);
  for (const [label, p50, p99] of latency) {
    const w99 = (p99 / maxL) * barArea;
    const w50 = (p50 / maxL) * barArea;
    parts.push(
      `<text x="10" y="${y + 14}" font-size="12">${esc(label)}</text><rect x="${left}" y="${y}" width="${w99.toFixed(1)}" height="18" fill="#9ecae9"/><rect x="${left}" y="${y}" width="${w50.toFixed(1)}" height="18" fill="#1f5f99"/><text x="${left + w99 + 6}" y="${y + 14}" font-size="12">${p50} / ${p99}</text>`,
    );
    y += 26;
  }
  const height = y + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}
