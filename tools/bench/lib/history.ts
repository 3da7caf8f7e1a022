import { randomUUID } from 'node:crypto';
import type { Db, Document, UpdateFilter } from 'mongodb';
import { progress } from './platform.js';

/**
 * Seeds order history directly into the services' databases with the driver's bulk inserts, shaped
 * exactly as the platform left one real order: the documents of a template order (placed through the
 * API beforehand, confirmed and notified) are cloned with fresh ids — every UUID in them, also inside
 * composite ids such as `group:eventId`, is replaced consistently per clone. Product documents get
 * the clones' entries of any array that holds the template order (in-flight markers, if any were left),
 * and the counters of the products a clone's reservation still holds (its ledger's `holding`) moved
 * as that reservation's lines say — a product document itself keeps no per-order holds.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The UUID a string is or ends with (after a ':'), if any. */
function uuidIn(value: string): { prefix: string; id: string } | undefined {
  if (UUID.test(value)) return { prefix: '', id: value };
  const cut = value.lastIndexOf(':');
  if (cut > 0 && UUID.test(value.slice(cut + 1))) return { prefix: value.slice(0, cut + 1), id: value.slice(cut + 1) };
  return undefined;
}

function uuidsOf(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    const found = uuidIn(value);
    if (found) into.add(found.id);
  } else if (Array.isArray(value)) for (const v of value) uuidsOf(v, into);
  else if (value && typeof value === 'object' && !(value instanceof Date)) for (const v of Object.values(value)) uuidsOf(v, into);
}

const mentions = (value: unknown, ids: Set<string>): boolean => {
  const found = new Set<string>();
  uuidsOf(value, found);
  return [...found].some((id) => ids.has(id));
};

/** How one clone differs from the template: its UUIDs (drawn as they are met) and its product. */
interface Clone {
  ids: Map<string, string>;
  /** Exact strings to replace: the template's product id → this clone's. */
  swap: Map<string, string>;
}

/** A deep copy with every UUID mapped through the clone's ids and its product swapped. */
function cloneWith(value: unknown, clone: Clone): unknown {
  if (typeof value === 'string') {
    const swapped = clone.swap.get(value);
    if (swapped !== undefined) return swapped;
    const map = clone.ids;
    const found = uuidIn(value);
    if (!found) return value;
    let mapped = map.get(found.id);
    if (!mapped) map.set(found.id, (mapped = randomUUID()));
    return found.prefix + mapped;
  }
  if (Array.isArray(value)) return value.map((v) => cloneWith(v, clone));
  if (value instanceof Date) return value;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneWith(v, clone);
    return out;
  }
  return value;
}

interface ArrayHold {
  db: Db;
  productId: string;
  /** The product's array holding `element`; absent for a hold recorded only on the reservation (counters only). */
  field?: string;
  element?: unknown;
  /** Counters beside the array that the element's quantity moved (reserved up, available down). */
  quantity: number;
}

export interface HistoryTemplate {
  /** Documents of the template order per database and collection. */
  documents: Array<{ db: Db; collection: string; docs: Document[] }>;
  holds: ArrayHold[];
  /** Every product's id: clones spread over them as orders do (clone i takes the i-th after the template's). */
  productIds: string[];
}

/**
 * Finds the documents one order left behind: after placing exactly one order on fresh databases,
 * every document that mentions its id — or an id those documents mention — is part of it. `products`
 * documents are shared by all orders: only their array entries for the order are.
 */
export async function readTemplate(orderId: string, dbs: Db[], collections?: string[]): Promise<HistoryTemplate> {
  const all: Array<{ db: Db; collection: string; doc: Document }> = [];
  const products: Array<{ db: Db; doc: Document }> = [];
  for (const db of dbs) {
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      const docs = await db.collection(name).find({}).toArray();
      if (name === 'products') products.push(...docs.map((doc) => ({ db, doc })));
      else all.push(...docs.map((doc) => ({ db, collection: name, doc })));
    }
  }
  const ids = new Set([orderId]);
  const picked = new Set<Document>();
  for (let grew = true; grew;) {
    grew = false;
    for (const { doc } of all) {
      if (picked.has(doc) || !mentions(doc, ids)) continue;
      picked.add(doc);
      uuidsOf(doc, ids);
      grew = true;
    }
  }
  const documents: HistoryTemplate['documents'] = [];
  for (const { db, collection, doc } of all) {
    if (!picked.has(doc) || (collections && !collections.includes(collection))) continue;
    let group = documents.find((g) => g.db === db && g.collection === collection);
    if (!group) documents.push((group = { db, collection, docs: [] }));
    group.docs.push(doc);
  }
  const holds: ArrayHold[] = [];
  for (const { db, doc } of products) {
    for (const [field, value] of Object.entries(doc)) {
      if (!Array.isArray(value)) continue;
      for (const element of value.filter((e) => mentions(e, ids))) {
        const quantity = typeof (element as { quantity?: unknown }).quantity === 'number' ? (element as { quantity: number }).quantity : 0;
        holds.push({ db, productId: String(doc.productId), field, element, quantity });
      }
    }
  }
  // Holds recorded on the reservation (inventoryservice's ledger): the product's counters only.
  for (const { db, collection, docs } of documents) {
    if (collection !== 'reservations') continue;
    for (const doc of docs) {
      const lines = (doc.lines ?? []) as Array<{ productId: string; quantity: number }>;
      for (const productId of (doc.holding ?? []) as string[])
        holds.push({ db, productId, quantity: lines.find((l) => l.productId === productId)?.quantity ?? 0 });
    }
  }
  const productIds = products
    .map(({ doc }) => doc.productId)
    .filter((id): id is string => typeof id === 'string')
    .sort();
  return { documents, holds, productIds };
}

export interface SeedResult {
  orders: number;
  documents: number;
  seconds: number;
  documentsPerSec: number;
  collections: Record<string, number>;
  productHolds: number;
}

/** Inserts `count` clones of the template, `chunk` orders per insertMany, collections in parallel. */
export async function seedHistory(template: HistoryTemplate, count: number, chunk = 1000): Promise<SeedResult> {
  const bar = progress('seeding history');
  const started = performance.now();
  const perCollection: Record<string, number> = {};
  let documents = 0;
  let holds = 0;
  const templateProduct = template.holds[0]?.productId;
  const at = templateProduct === undefined ? -1 : template.productIds.indexOf(templateProduct);
  for (let from = 0; from < count; from += chunk) {
    const n = Math.min(chunk, count - from);
    const clones: Clone[] = Array.from({ length: n }, (_, k) => ({
      ids: new Map(),
      swap: at < 0 ? new Map() : new Map([[templateProduct!, template.productIds[(at + from + k) % template.productIds.length]!]]),
    }));
    const writes: Promise<unknown>[] = template.documents.map(async ({ db, collection, docs }) => {
      const copies = clones.flatMap((clone) => docs.map((doc) => cloneWith(doc, clone) as Document));
      await db.collection(collection).insertMany(copies, { ordered: false });
      perCollection[`${db.databaseName}.${collection}`] = (perCollection[`${db.databaseName}.${collection}`] ?? 0) + copies.length;
      documents += copies.length;
    });
    // One update per product and array for the chunk: the clones' entries, the counters moved with them.
    const byProduct = new Map<
      string,
      { db: Db; productId: string; field?: string; elements: unknown[]; quantity: number; count: number }
    >();
    for (const clone of clones) {
      for (const hold of template.holds) {
        const productId = clone.swap.get(hold.productId) ?? hold.productId;
        const key = `${hold.db.databaseName}/${productId}/${hold.field ?? ''}`;
        const group = byProduct.get(key) ?? {
          db: hold.db,
          productId,
          ...(hold.field ? { field: hold.field } : {}),
          elements: [] as unknown[],
          quantity: 0,
          count: 0,
        };
        if (hold.field !== undefined) group.elements.push(cloneWith(hold.element, clone));
        group.quantity += hold.quantity;
        group.count += 1;
        byProduct.set(key, group);
      }
    }
    for (const { db, productId, field, elements, quantity, count } of byProduct.values()) {
      const inc = quantity > 0 ? { $inc: { reserved: quantity, available: -quantity } } : {};
      const update: Document = { ...(field === undefined ? {} : { $push: { [field]: { $each: elements } } }), ...inc };
      writes.push(db.collection('products').updateOne({ productId }, update as UpdateFilter<Document>));
      holds += count;
    }
    await Promise.all(writes);
    const seconds = (performance.now() - started) / 1000;
    bar.update(`${from + n}/${count} orders, ${documents} documents (${Math.round(documents / seconds)}/s)`);
  }
  const seconds = (performance.now() - started) / 1000;
  const out = {
    orders: count,
    documents,
    seconds: Math.round(seconds * 10) / 10,
    documentsPerSec: Math.round(documents / seconds),
    collections: perCollection,
    productHolds: holds,
  };
  bar.done(`${count} orders as ${documents} documents and ${holds} product holds in ${out.seconds} s (${out.documentsPerSec} documents/s)`);
  return out;
}
