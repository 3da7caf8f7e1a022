import type { Admin, Kafka } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';

export interface GroupSubscription {
  groupId: string;
  topic: string;
}

export interface QuietState {
  pendingOrders: number;
  /** Events written but not yet published (orders' and reservations' outboxes). */
  outboxBacklog: number;
  /** Messages not yet handled and committed, over every consumer group and partition. */
  consumerLag: number;
  /** Notification records still open: PENDING or FAILED (in flight or to be retried); SENT and SKIPPED are final. */
  unsentNotifications: number;
  /** Changes whenever stock, order statuses or notifications move. */
  fingerprint: string;
}

const SAGA_CANCEL_REASONS = new Set(['INSUFFICIENT_STOCK', 'UNKNOWN_PRODUCT']);

/** Read-only access to the run's databases and consumer groups, for settling and checking. */
export class Observer {
  private admin: Admin | undefined;

  private constructor(
    private readonly client: MongoClient,
    readonly orders: Db,
    readonly inventory: Db,
    readonly notifications: Db,
    private readonly kafka: Kafka,
  ) {}

  static async connect(dbUrls: { orders: string; inventory: string; notifications: string }, kafka: Kafka): Promise<Observer> {
    // One server holds the three databases; one client is enough.
    const client = new MongoClient(dbUrls.orders, { directConnection: true, serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    const db = (url: string) => client.db(new URL(url).pathname.slice(1));
    return new Observer(client, db(dbUrls.orders), db(dbUrls.inventory), db(dbUrls.notifications), kafka);
  }

  async quietState(groups: GroupSubscription[]): Promise<QuietState> {
    const [pendingOrders, orderOutbox, reservationOutbox, unsentNotifications, products, statuses, sent] = await Promise.all([
      this.orders.collection('orders').countDocuments({ status: 'PENDING' }),
      this.orders.collection('orders').countDocuments({ 'outbox.0': { $exists: true } }),
      this.inventory.collection('reservations').countDocuments({ 'outbox.0': { $exists: true } }),
      this.notifications.collection('notifications').countDocuments({ status: { $in: ['PENDING', 'FAILED'] } }),
      this.inventory
        .collection('products')
        .find({}, { projection: { _id: 0, productId: 1, available: 1, reserved: 1, sold: 1 } })
        .sort({ productId: 1 })
        .toArray(),
      this.statusCounts(),
      this.notifications.collection('notifications').countDocuments({ status: 'SENT' }),
    ]);
    return {
      pendingOrders,
      outboxBacklog: orderOutbox + reservationOutbox,
      consumerLag: await this.consumerLag(groups),
      unsentNotifications,
      fingerprint: JSON.stringify([products, statuses, sent]),
    };
  }

  async statusCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for await (const o of this.orders.collection('orders').find({}, { projection: { status: 1 } }))
      counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
    return counts;
  }

  /** End offset minus committed offset, summed; a partition a group never committed counts from its start. */
  async consumerLag(groups: GroupSubscription[]): Promise<number> {
    return Object.values(await this.consumerLagByGroup(groups)).reduce((sum, lag) => sum + lag, 0);
  }

  /** consumerLag per group id. */
  async consumerLagByGroup(groups: GroupSubscription[]): Promise<Record<string, number>> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const lags: Record<string, number> = {};
    for (const { groupId, topic } of groups) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
      let lag = 0;
      for (const end of ends) {
        const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = Number(offset) < 0 ? Number(end.low) : Number(offset);
        lag += Math.max(0, Number(end.high) - from);
      }
      lags[groupId] = lag;
    }
    return lags;
  }

  /** Orders placed at or after `placedFrom` (epoch ms) by status, a cancelled one by its reason ("CANCELLED/TIMEOUT"). */
  async ordersByOutcome(placedFrom: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const placed = this.orders
      .collection('orders')
      .find({ createdAt: { $gte: new Date(placedFrom) } }, { projection: { status: 1, cancellation: 1 } });
    for await (const o of placed) {
      const reason = (o.cancellation as { reason?: string } | undefined)?.reason;
      const key = o.status === 'CANCELLED' && reason ? `CANCELLED/${reason}` : String(o.status);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /** Documents with events not yet published, per outbox, and how many of them the relay parked. */
  async outboxDocuments(): Promise<Record<'orders' | 'ordersParked' | 'reservations' | 'reservationsParked', number>> {
    const waiting = { 'outbox.0': { $exists: true } };
    const parked = { ...waiting, outboxParkedAt: { $ne: null } };
    const [orders, ordersParked, reservations, reservationsParked] = await Promise.all([
      this.orders.collection('orders').countDocuments(waiting),
      this.orders.collection('orders').countDocuments(parked),
      this.inventory.collection('reservations').countDocuments(waiting),
      this.inventory.collection('reservations').countDocuments(parked),
    ]);
    return { orders, ordersParked, reservations, reservationsParked };
  }

  /**
   * When sagas were decided (inventory's answer applied: CONFIRMED, or CANCELLED for stock or an
   * unknown product), epoch ms, sorted; only orders placed at or after `placedFrom`, decided at or
   * after `decidedFrom`. A customer's cancel is no saga: it needs no other service.
   */
  async sagaDecisions(opts: { placedFrom?: number; decidedFrom?: number }): Promise<number[]> {
    const filter = opts.placedFrom === undefined ? {} : { createdAt: { $gte: new Date(opts.placedFrom) } };
    const times: number[] = [];
    for await (const o of this.orders.collection('orders').find(filter, { projection: { timeline: 1 } })) {
      const timeline = (o.timeline ?? []) as Array<{ status: string; at: Date; reason?: string }>;
      const decision = timeline.find(
        (t) => t.status === 'CONFIRMED' || (t.status === 'CANCELLED' && SAGA_CANCEL_REASONS.has(t.reason ?? '')),
      );
      const at = decision ? new Date(decision.at).getTime() : undefined;
      if (at !== undefined && at >= (opts.decidedFrom ?? 0)) times.push(at);
    }
    return times.sort((a, b) => a - b);
  }

  /** Orders with an event pending for longer than `olderThanMs`: publishing is stuck for them. */
  async staleOrderOutbox(olderThanMs: number): Promise<number> {
    return this.orders.collection('orders').countDocuments({ 'outbox.createdAt': { $lte: new Date(Date.now() - olderThanMs) } });
  }

  /** The orders' pending outbox right now: documents and bytes of event values (what the relay must publish). */
  async orderOutbox(): Promise<{ documents: number; events: number; bytes: number }> {
    let documents = 0;
    let events = 0;
    let bytes = 0;
    for await (const o of this.orders.collection('orders').find({ 'outbox.0': { $exists: true } }, { projection: { outbox: 1 } })) {
      documents += 1;
      for (const entry of (o.outbox ?? []) as Array<{ value?: string }>) {
        events += 1;
        bytes += Buffer.byteLength(entry.value ?? '');
      }
    }
    return { documents, events, bytes };
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    await this.client.close();
  }
}
