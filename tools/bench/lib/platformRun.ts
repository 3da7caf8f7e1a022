import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { http } from '../../lib/http.js';
import { freePort, launchService, type ServiceName, type ServiceProcess } from '../../lib/serviceProcess.js';

/** The three services of one commit, started for one set of databases and topics on the shared stack. */
export interface RunningPlatform {
  orders: ServiceProcess;
  inventory: ServiceProcess;
  notifications: ServiceProcess;
  /** The environment each service was started with (a restart reuses it). */
  envOf(service: 'orderservice' | 'inventoryservice' | 'notificationservice'): Record<string, string>;
  dbUrls: { orders: string; inventory: string; notifications: string };
  /** The other instances of each service (`--instances N`: N − 1 of each), started after the first ones. */
  extra: ServiceProcess[];
  /** Every order-service and notification-service instance's base URL (the first instance first). */
  orderUrls(): string[];
  notificationUrls(): string[];
  /** Services by name → base URL (for /metrics); the other instances as `<service>-2`, `-3`, …. */
  services(): Record<string, string>;
  pids(): Record<string, number | undefined>;
  /** A driver client on the same server, for reads and seeding (closed by stop()). */
  db(name: 'orders' | 'inventory' | 'notifications'): Db;
  replaceInventory(next: ServiceProcess): void;
  stop(): Promise<void>;
}

export interface PlatformSpec {
  /** Checkout whose services run. */
  root: string;
  /** Prefix of the databases and topics: unique per run and target. */
  prefix: string;
  serverUrl: string;
  env: Record<string, string>;
  logDir: string;
  products: string[];
  adminHeaders: Record<string, string>;
  /** Instances of each service (default 1); instances of a service share its database and consumer group. */
  instances?: number;
}

export function dbUrlOn(serverUrl: string, db: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

export async function startPlatform(spec: PlatformSpec): Promise<RunningPlatform> {
  const name = (service: string) => `${spec.prefix}_${service}db`.replaceAll('-', '_');
  const dbUrls = {
    orders: dbUrlOn(spec.serverUrl, name('order')),
    inventory: dbUrlOn(spec.serverUrl, name('inventory')),
    notifications: dbUrlOn(spec.serverUrl, name('notification')),
  };
  const env = { ...spec.env, ORDER_EVENTS_TOPIC: `${spec.prefix}.order-events`, INVENTORY_EVENTS_TOPIC: `${spec.prefix}.inventory-events` };
  // Own consumer groups too: a group shared with another run (or another platform of this one) would
  // rebalance between members subscribed to different topics.
  const envOf = (service: 'orderservice' | 'inventoryservice' | 'notificationservice') => ({
    ...env,
    DB_URL: { orderservice: dbUrls.orders, inventoryservice: dbUrls.inventory, notificationservice: dbUrls.notifications }[service],
    CONSUMER_GROUP_ID: `${spec.prefix}-${service}`,
  });
  const [orderPort, inventoryPort, notificationPort] = [await freePort(), await freePort(), await freePort()];
  const started: ServiceProcess[] = [];
  const start = (service: ServiceName, port: number, logDir = spec.logDir) =>
    launchService(service, { port, env: envOf(service), logFile: path.join(logDir, `${service}.log`), root: spec.root }).then((s) => {
      started.push(s);
      return s;
    });
  try {
    // Order and inventory first: between them they create both topics; notifications only consumes.
    const [orders, inventory] = await Promise.all([start('orderservice', orderPort), start('inventoryservice', inventoryPort)]);
    const notifications = await start('notificationservice', notificationPort);
    for (const productId of spec.products) {
      const res = await http(
        'PUT',
        `${inventory.url}/api/inventory/${productId}`,
        { name: productId, available: 100_000_000 },
        spec.adminHeaders,
      );
      if (res.status >= 300) throw new Error(`stocking ${productId} failed: ${res.status}`);
    }
    const extra: ServiceProcess[] = [];
    for (let k = 2; k <= (spec.instances ?? 1); k++) {
      for (const service of ['orderservice', 'inventoryservice', 'notificationservice'] as const) {
        extra.push(await start(service, await freePort(), path.join(spec.logDir, `instance-${k}`)));
      }
    }
    const instanceKey = (s: ServiceProcess) => `${s.name}-${1 + extra.filter((e) => e.name === s.name).indexOf(s) + 1}`;
    const client = new MongoClient(spec.serverUrl, { maxPoolSize: 8 });
    await client.connect();
    let current = { orders, inventory, notifications };
    return {
      get orders() {
        return current.orders;
      },
      get inventory() {
        return current.inventory;
      },
      get notifications() {
        return current.notifications;
      },
      envOf,
      dbUrls,
      extra,
      orderUrls: () => [current.orders.url, ...extra.filter((e) => e.name === 'orderservice').map((e) => e.url)],
      notificationUrls: () => [current.notifications.url, ...extra.filter((e) => e.name === 'notificationservice').map((e) => e.url)],
      services: () => ({
        orderservice: current.orders.url,
        inventoryservice: current.inventory.url,
        notificationservice: current.notifications.url,
        ...Object.fromEntries(extra.map((e) => [instanceKey(e), e.url])),
      }),
      pids: () => ({
        orderservice: current.orders.child.pid,
        inventoryservice: current.inventory.child.pid,
        notificationservice: current.notifications.child.pid,
        ...Object.fromEntries(extra.map((e) => [instanceKey(e), e.child.pid])),
      }),
      db: (which) => client.db(new URL(dbUrls[which]).pathname.slice(1)),
      replaceInventory(next) {
        current = { ...current, inventory: next };
      },
      async stop() {
        await Promise.all([current.orders, current.inventory, current.notifications, ...extra].map((s) => s.stop()));
        await client.close();
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}
