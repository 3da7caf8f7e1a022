import { request, type HttpOutcome } from '../lib/http.js';
import { seeded } from '@orderplatform/shared/testing';

export interface RequestCounters {
  sent: number;
  ok: number;
  /** Answered with a status other than success (409 for a move the order no longer allows, 503, …), by status. */
  refused: Record<string, number>;
  /** No answer: connection refused or reset, or the client's timeout — the service was down or hung. */
  failed: number;
  /** Of `failed`, those that hit the client's timeout: the service took the request and never answered. */
  timedOut: number;
}

export type RequestKind = 'order' | 'cancel' | 'ship' | 'deliver' | 'restock';

/** One request the load sent: when, what came back and how long it took (for the per-fault figures). */
export interface RequestSample {
  kind: RequestKind;
  /** Epoch ms when it was sent. */
  at: number;
  ms: number;
  /** The status answered, or 'unanswered' (client timeout) or 'error' (refused, reset). */
  outcome: number | 'unanswered' | 'error';
  /** A re-send to another instance, after the one asked first did not answer (or answered 503). */
  retry?: true;
}

/** Requests re-sent to another instance (several instances only), each counted once however many instances it met. */
export interface FailoverCounters {
  /** By kind: orders (with the same Idempotency-Key), cancels, ships, deliveries, restocks. */
  retried: Record<RequestKind, number>;
  /** Order re-sends answered 200 Idempotent-Replayed: the instance that did not answer had stored the order. */
  ordersReplayed: number;
  /** Long-polls asked again (on the other instance) after no answer, a 503 or a wait that ended undecided. */
  longPollsRepeated: number;
}

/** One long-poll (a wait for the order to be decided) and what it finally answered. */
export interface LongPollRecord {
  orderId: string;
  /** The status the last answer carried; undefined when none came. */
  status: string | undefined;
  /** How many GETs it took (several instances: asked again after no answer or a 503, and once after an undecided wait). */
  rounds: number;
  /** Epoch ms of the last answer (or of giving up): an order decided before it should have been answered decided. */
  answeredAt: number;
}

export interface LoadCounters {
  orders: RequestCounters;
  cancels: RequestCounters;
  ships: RequestCounters & { notConfirmed: number };
  deliveries: RequestCounters;
  restocks: RequestCounters;
}

export interface LoadOptions {
  /** Every order-service instance; orders go round-robin, follow-ups and long-polls to any of them. */
  ordersUrls: string[];
  /** Every inventory-service instance (restocks). */
  inventoryUrls: string[];
  /** Set: every order carries the Idempotency-Key `${idempotencyKeyPrefix}-${n}` (kept when re-sent to another instance). */
  idempotencyKeyPrefix?: string;
  adminKey: string;
  products: string[];
  rate: number;
  seed: number;
  /** A hard bound on orders, whatever the stop condition says. */
  maxOrders: number;
  restockEveryMs: number;
  restockUnits: number;
}

const counters = (): RequestCounters => ({ sent: 0, ok: 0, refused: {}, failed: 0, timedOut: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Several instances: a long-poll that met no answer or a 503 is asked again (next instance) for at most this long. */
export const LONG_POLL_DEADLINE_MS = 60_000;
/**
 * ...and one whose wait ended undecided (the answer is then the current state, PENDING) is asked once
 * more, on the next instance. Not until decided: in the one full run on a shared machine the sagas fell
 * minutes behind, and 5,624 long-polls asked 33,331 times, each wait re-reading the order twice a second,
 * added to the load they waited on.
 */
const UNDECIDED_REPEATS = 1;
const DECIDED = new Set(['CONFIRMED', 'CANCELLED']);
/**
 * Several instances: how many times a request may go round all of them while none answers. One round
 * was not enough on the 2-core machine: with one order-service instance SIGKILLed and restarting, the
 * other, carrying the whole load, left 115 of 5,000 orders unanswered within the 10 s client timeout
 * on both (load average 13).
 */
const FAILOVER_ROUNDS = 3;
const refusedByInstance = (res: HttpOutcome) => res.kind === 'error' || res.status === 503;

/**
 * An open-loop order load: orders start on schedule whether or not earlier ones were answered, so a
 * service that is down meets the requests a real shop would send. Some accepted orders are then
 * cancelled by the customer (pending or confirmed), some shipped and delivered by the admin, and the
 * stock is topped up now and then. With one instance of each service nothing is retried: a request
 * that meets a dead service is counted. With several, orders go round-robin over the order-service
 * instances, and a request one instance does not answer (refused, reset, timeout, 503) is sent once to
 * each other instance — an order with the same Idempotency-Key, so a crash costs no order and makes
 * no duplicate. Counters count each request once (its last answer); samples hold every attempt.
 */
export class LoadGenerator {
  /** Orders answered 201, or 200 Idempotent-Replayed after a re-send: the ones the platform promised to handle. */
  readonly accepted: string[] = [];
  /** Idempotency-Key → the order id its answer carried (keys sent only with `idempotencyKeyPrefix`). */
  readonly acceptedByKey = new Map<string, string>();
  /** Every Idempotency-Key sent, answered or not. */
  readonly keysSent = new Set<string>();
  readonly longPolls: LongPollRecord[] = [];
  readonly samples: RequestSample[] = [];
  readonly counters: LoadCounters = {
    orders: counters(),
    cancels: counters(),
    ships: { ...counters(), notConfirmed: 0 },
    deliveries: counters(),
    restocks: counters(),
  };
  readonly failover: FailoverCounters = {
    retried: { order: 0, cancel: 0, ship: 0, deliver: 0, restock: 0 },
    ordersReplayed: 0,
    longPollsRepeated: 0,
  };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly random: () => number;

  constructor(private readonly opts: LoadOptions) {
    if (opts.ordersUrls.length === 0 || opts.inventoryUrls.length === 0)
      throw new Error('the load needs at least one instance of each service');
    this.random = seeded(opts.seed);
  }

  private get several(): boolean {
    return this.opts.ordersUrls.length > 1;
  }

  /** Where a follow-up starts: any order-service instance (no random draw with one, so a seed's order mix is what it always was). */
  private anyInstance(): number {
    return this.several ? Math.floor(this.random() * this.opts.ordersUrls.length) : 0;
  }

  /** Runs until `shouldStop()` (checked before each order) or maxOrders, then waits for every request it started. */
  async run(shouldStop: () => boolean): Promise<void> {
    const started = performance.now();
    let nextRestock = Date.now() + this.opts.restockEveryMs;
    for (let i = 0; i < this.opts.maxOrders && !shouldStop(); i++) {
      const wait = started + (i * 1000) / this.opts.rate - performance.now();
      if (wait > 0) await sleep(wait);
      this.track(this.placeOrder(i));
      if (Date.now() >= nextRestock) {
        nextRestock = Date.now() + this.opts.restockEveryMs;
        this.track(this.restock());
      }
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async placeOrder(i: number): Promise<void> {
    const customer = i % 40;
    const lines = 1 + Math.floor(this.random() * 3);
    const products = [...this.opts.products].sort(() => this.random() - 0.5).slice(0, lines);
    const body = {
      customerId: `chaos-c${customer}`,
      items: products.map((productId) => ({ productId, quantity: 1 + Math.floor(this.random() * 2), price: 9.99 })),
      // Both addresses: every lifecycle event is then one email and one SMS.
      customer: { email: `customer${customer}@example.com`, phone: `+1415555${1000 + customer}`, name: `Chaos Customer ${customer}` },
    };
    const followUp = this.random();
    const key = this.opts.idempotencyKeyPrefix === undefined ? undefined : `${this.opts.idempotencyKeyPrefix}-${i}`;
    if (key !== undefined) this.keysSent.add(key);
    const headers: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key };
    const res = await this.count(
      'order',
      this.counters.orders,
      this.opts.ordersUrls,
      i,
      (url) => request('POST', `${url}/api/orders`, body, headers),
      [201, 200],
    );
    if (res?.status !== 201 && res?.status !== 200) return;
    const id = (res.body as { data: { id: string } }).data.id;
    if (res.status === 200) this.failover.ordersReplayed += 1;
    this.accepted.push(id);
    if (key !== undefined) this.acceptedByKey.set(key, id);

    if (followUp < 0.1) await this.cancel(id, 2_000);
    else if (followUp < 0.18) {
      if (await this.waitConfirmed(id)) await this.cancel(id, 1_000);
    } else if (followUp < 0.4) await this.shipAndMaybeDeliver(id);
  }

  private async cancel(id: string, maxDelayMs: number): Promise<void> {
    await sleep(this.random() * maxDelayMs);
    await this.count(
      'cancel',
      this.counters.cancels,
      this.opts.ordersUrls,
      this.anyInstance(),
      (url) => request('POST', `${url}/api/orders/${id}/cancel`, { reason: 'changed my mind (chaos)' }),
      [200],
    );
  }

  private async shipAndMaybeDeliver(id: string): Promise<void> {
    const deliver = this.random() < 0.6;
    if (!(await this.waitConfirmed(id))) return;
    const admin = { 'x-api-key': this.opts.adminKey };
    const shipped = await this.count(
      'ship',
      this.counters.ships,
      this.opts.ordersUrls,
      this.anyInstance(),
      (url) => request('PUT', `${url}/api/orders/${id}/status`, { status: 'SHIPPED' }, admin),
      [200],
    );
    if (shipped?.status !== 200 || !deliver) return;
    await sleep(200 + this.random() * 1_500);
    await this.count(
      'deliver',
      this.counters.deliveries,
      this.opts.ordersUrls,
      this.anyInstance(),
      (url) => request('PUT', `${url}/api/orders/${id}/status`, { status: 'DELIVERED' }, admin),
      [200],
    );
  }

  /**
   * Long-polls until the order is decided; true when CONFIRMED. With several instances the poll lands
   * on any of them (not necessarily the one that placed the order), and is asked again — on the next
   * instance — after no answer, a 503 or a wait that ended undecided, until LONG_POLL_DEADLINE_MS.
   */
  private async waitConfirmed(id: string): Promise<boolean> {
    const urls = this.opts.ordersUrls;
    const deadline = Date.now() + LONG_POLL_DEADLINE_MS;
    let instance = this.anyInstance();
    let status: string | undefined;
    let rounds = 0;
    let undecided = 0;
    for (;;) {
      rounds += 1;
      const res = await request(
        'GET',
        `${urls[instance % urls.length]}/api/orders/${id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=15000`,
        undefined,
        {},
        20_000,
      );
      status = res.kind === 'response' && res.status === 200 ? (res.body as { data: { status: string } }).data.status : undefined;
      if (status !== undefined) undecided += 1;
      if (!this.several || (status !== undefined && DECIDED.has(status)) || undecided > UNDECIDED_REPEATS || Date.now() >= deadline) break;
      this.failover.longPollsRepeated += 1;
      instance += 1;
      // Backing off (0.25 s doubling to 2 s), as a client would: a database outage answers every instance's GET 503 at once.
      await sleep(Math.min(2_000, 250 * 2 ** (rounds - 1)));
    }
    this.longPolls.push({ orderId: id, status, rounds, answeredAt: Date.now() });
    if (status !== 'CONFIRMED') this.counters.ships.notConfirmed += 1;
    return status === 'CONFIRMED';
  }

  /** Admin top-up of every product: sets available to what was read plus restockUnits (the difference counts as restocked). */
  private async restock(): Promise<void> {
    const admin = { 'x-api-key': this.opts.adminKey };
    const urls = this.opts.inventoryUrls;
    for (const [n, productId] of this.opts.products.entries()) {
      const read = await this.attempt('restock', urls, n, (url) => request('GET', `${url}/api/inventory/${productId}`));
      if (read.kind !== 'response' || read.status !== 200) {
        this.tally(this.counters.restocks, read, [200]);
        continue;
      }
      const available = (read.body as { data: { available: number } }).data.available + this.opts.restockUnits;
      await this.count(
        'restock',
        this.counters.restocks,
        urls,
        n,
        (url) => request('PUT', `${url}/api/inventory/${productId}`, { available }, admin),
        [200],
      );
    }
  }

  private async count(
    kind: RequestKind,
    c: RequestCounters,
    urls: string[],
    first: number,
    send: (url: string) => Promise<HttpOutcome>,
    okStatuses: number[],
  ): Promise<{ status: number; body: unknown } | undefined> {
    const res = await this.attempt(kind, urls, first, send);
    this.tally(c, res, okStatuses);
    return res.kind === 'response' ? res : undefined;
  }

  /**
   * Sends to instance `first` (mod the number of instances) and, while the answer is none or 503, to
   * each next instance; returns the last answer. A round in which every instance answered 503 ends it
   * (the service says it is unavailable: that is an answer); rounds with no answer at all go on, after
   * a short pause, up to FAILOVER_ROUNDS — safe for an order, which keeps its Idempotency-Key. One
   * instance: one attempt, as it always was.
   */
  private async attempt(
    kind: RequestKind,
    urls: string[],
    first: number,
    send: (url: string) => Promise<HttpOutcome>,
  ): Promise<HttpOutcome> {
    const rounds = urls.length > 1 ? FAILOVER_ROUNDS : 1;
    let all503 = true;
    for (let k = 0; ; k++) {
      const at = Date.now();
      const res = await send(urls[(first + k) % urls.length]!);
      this.samples.push({
        kind,
        at,
        ms: res.ms,
        outcome: res.kind === 'response' ? res.status : res.timedOut ? 'unanswered' : 'error',
        ...(k > 0 ? { retry: true as const } : {}),
      });
      if (!refusedByInstance(res) || k + 1 >= urls.length * rounds) return res;
      all503 &&= res.kind === 'response';
      if ((k + 1) % urls.length === 0) {
        if (all503) return res;
        all503 = true;
        await sleep(500 * ((k + 1) / urls.length));
      }
      if (k === 0) this.failover.retried[kind] += 1;
    }
  }

  private tally(c: RequestCounters, res: HttpOutcome, okStatuses: number[]): void {
    c.sent += 1;
    if (res.kind === 'error') {
      c.failed += 1;
      if (res.timedOut) c.timedOut += 1;
    } else if (okStatuses.includes(res.status)) c.ok += 1;
    else c.refused[String(res.status)] = (c.refused[String(res.status)] ?? 0) + 1;
  }
}
