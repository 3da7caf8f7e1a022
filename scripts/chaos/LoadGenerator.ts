import { request, type HttpOutcome } from './http.js';
import { seeded } from './random.js';

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
}

export interface LoadCounters {
  orders: RequestCounters;
  cancels: RequestCounters;
  ships: RequestCounters & { notConfirmed: number };
  deliveries: RequestCounters;
  restocks: RequestCounters;
}

export interface LoadOptions {
  ordersUrl: string;
  inventoryUrl: string;
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

/**
 * An open-loop order load: orders start on schedule whether or not earlier ones were answered, so a
 * service that is down meets the requests a real shop would send. Some accepted orders are then
 * cancelled by the customer (pending or confirmed), some shipped and delivered by the admin, and the
 * stock is topped up now and then. Nothing is retried: a request that meets a dead service is counted.
 */
export class LoadGenerator {
  /** Orders answered 201: the ones the platform promised to handle (a 503 or any other answer is not a promise). */
  readonly accepted: string[] = [];
  readonly samples: RequestSample[] = [];
  readonly counters: LoadCounters = { orders: counters(), cancels: counters(), ships: { ...counters(), notConfirmed: 0 }, deliveries: counters(), restocks: counters() };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly random: () => number;

  constructor(private readonly opts: LoadOptions) {
    this.random = seeded(opts.seed);
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
    const res = await this.count('order', this.counters.orders, request('POST', `${this.opts.ordersUrl}/api/orders`, body), 201);
    if (res?.status !== 201) return;
    const id = (res.body as { data: { id: string } }).data.id;
    this.accepted.push(id);

    if (followUp < 0.1) await this.cancel(id, 2_000);
    else if (followUp < 0.18) {
      if (await this.waitConfirmed(id)) await this.cancel(id, 1_000);
    } else if (followUp < 0.4) await this.shipAndMaybeDeliver(id);
  }

  private async cancel(id: string, maxDelayMs: number): Promise<void> {
    await sleep(this.random() * maxDelayMs);
    await this.count('cancel', this.counters.cancels, request('POST', `${this.opts.ordersUrl}/api/orders/${id}/cancel`, { reason: 'changed my mind (chaos)' }), 200);
  }

  private async shipAndMaybeDeliver(id: string): Promise<void> {
    const deliver = this.random() < 0.6;
    if (!(await this.waitConfirmed(id))) return;
    const admin = { 'x-api-key': this.opts.adminKey };
    const shipped = await this.count('ship', this.counters.ships, request('PUT', `${this.opts.ordersUrl}/api/orders/${id}/status`, { status: 'SHIPPED' }, admin), 200);
    if (shipped?.status !== 200 || !deliver) return;
    await sleep(200 + this.random() * 1_500);
    await this.count('deliver', this.counters.deliveries, request('PUT', `${this.opts.ordersUrl}/api/orders/${id}/status`, { status: 'DELIVERED' }, admin), 200);
  }

  /** Long-polls until the order is decided; true when CONFIRMED. */
  private async waitConfirmed(id: string): Promise<boolean> {
    const res = await request('GET', `${this.opts.ordersUrl}/api/orders/${id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=15000`, undefined, {}, 20_000);
    const status = res.kind === 'response' && res.status === 200 ? (res.body as { data: { status: string } }).data.status : undefined;
    if (status !== 'CONFIRMED') this.counters.ships.notConfirmed += 1;
    return status === 'CONFIRMED';
  }

  /** Admin top-up of every product: sets available to what was read plus restockUnits (the difference counts as restocked). */
  private async restock(): Promise<void> {
    const admin = { 'x-api-key': this.opts.adminKey };
    for (const productId of this.opts.products) {
      const read = this.record('restock', Date.now(), await request('GET', `${this.opts.inventoryUrl}/api/inventory/${productId}`));
      if (read.kind !== 'response' || read.status !== 200) {
        this.tally(this.counters.restocks, read, 200);
        continue;
      }
      const available = (read.body as { data: { available: number } }).data.available + this.opts.restockUnits;
      await this.count('restock', this.counters.restocks, request('PUT', `${this.opts.inventoryUrl}/api/inventory/${productId}`, { available }, admin), 200);
    }
  }

  private async count(kind: RequestKind, c: RequestCounters, pending: Promise<HttpOutcome>, okStatus: number): Promise<{ status: number; body: unknown } | undefined> {
    const at = Date.now();
    const res = this.record(kind, at, await pending);
    this.tally(c, res, okStatus);
    return res.kind === 'response' ? res : undefined;
  }

  private record(kind: RequestKind, at: number, res: HttpOutcome): HttpOutcome {
    this.samples.push({ kind, at, ms: res.ms, outcome: res.kind === 'response' ? res.status : res.timedOut ? 'unanswered' : 'error' });
    return res;
  }

  private tally(c: RequestCounters, res: HttpOutcome, okStatus: number): void {
    c.sent += 1;
    if (res.kind === 'error') {
      c.failed += 1;
      if (res.timedOut) c.timedOut += 1;
    } else if (res.status === okStatus) c.ok += 1;
    else c.refused[String(res.status)] = (c.refused[String(res.status)] ?? 0) + 1;
  }
}
