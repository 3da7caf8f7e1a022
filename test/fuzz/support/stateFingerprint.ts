import { createHash } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { dbUrlFor } from '../../support/infra.js';

/** What a service has stored and published: per collection its count and a digest of its documents, per topic its end offsets. */
export interface Fingerprint {
  collections: Record<string, { count: number; digest: string }>;
  topics: Record<string, string>;
}

/**
 * Snapshots the databases and topics of the services under test, to prove that a rejected request
 * stored and published nothing. The digest covers every document, so a rejected update of an
 * existing document (a restock, a status change) shows too, not only new documents.
 */
export class StateProbe {
  private readonly clients = new Map<string, MongoClient>();

  constructor(
    private readonly databases: readonly string[],
    private readonly admin: Admin,
    private readonly topics: readonly string[],
  ) {}

  async fingerprint(): Promise<Fingerprint> {
    const collections: Fingerprint['collections'] = {};
    for (const name of this.databases) {
      const db = (await this.client(name)).db(name);
      for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        const docs = await db.collection(collection).find({}).sort({ _id: 1 }).toArray();
        collections[`${name}.${collection}`] = {
          count: docs.length,
          digest: createHash('sha256').update(JSON.stringify(docs)).digest('hex'),
        };
      }
    }
    const topics: Fingerprint['topics'] = {};
    for (const topic of this.topics) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      topics[topic] = offsets
        .sort((a, b) => a.partition - b.partition)
        .map((p) => `${p.partition}:${p.high}`)
        .join(',');
    }
    return { collections, topics };
  }

  /** Waits until nothing changes for `quietMs` (the saga of a setup order has settled), then returns that state. */
  async settled(quietMs = 1_500, timeoutMs = 60_000): Promise<Fingerprint> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.fingerprint();
    let quietSince = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const next = await this.fingerprint();
      if (JSON.stringify(next) !== JSON.stringify(last)) {
        last = next;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) {
        return last;
      }
      if (Date.now() > deadline) throw new Error('stored state never settled');
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }

  private async client(database: string): Promise<MongoClient> {
    let client = this.clients.get(database);
    if (!client) {
      client = new MongoClient(dbUrlFor(database));
      await client.connect();
      this.clients.set(database, client);
    }
    return client;
  }
}

/** The collections and topics whose state differs between two fingerprints. */
export function differences(before: Fingerprint, after: Fingerprint): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before.collections), ...Object.keys(after.collections)])) {
    const a = before.collections[key];
    const b = after.collections[key];
    if (a?.digest !== b?.digest)
      out.push(`${key}: ${a?.count ?? 'absent'} → ${b?.count ?? 'absent'} documents${a?.count === b?.count ? ' (content changed)' : ''}`);
  }
  for (const key of new Set([...Object.keys(before.topics), ...Object.keys(after.topics)])) {
    if (before.topics[key] !== after.topics[key]) out.push(`${key}: end offsets ${before.topics[key]} → ${after.topics[key]}`);
  }
  return out;
}
