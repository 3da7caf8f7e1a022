import { randomUUID } from 'node:crypto';
import type { DependencyContainer } from 'tsyringe';
import { testEnv } from '../../../test/support/serviceHarness.js';
import { ConfigSchema, type Config } from '../../src/config.js';
import type { Channel } from '../../src/domain/Channel.js';
import type { ContactPreferences } from '../../src/domain/ContactPreferences.js';
import { isSettled, type Notification, type NotificationDraft, type SkippedDraft } from '../../src/domain/Notification.js';
import type { MockDelivery, MockMailbox } from '../../src/providers/MockMailbox.js';
import type { NotificationProvider, OutgoingMessage } from '../../src/services/ports/NotificationProvider.js';
import type { NewRecord, NotificationQuery, NotificationRepository, Settlement } from '../../src/services/ports/NotificationRepository.js';
import type { PreferencesRepository } from '../../src/services/ports/PreferencesRepository.js';
import { ProviderUnavailableError } from '../../src/domain/errors/ProviderUnavailableError.js';
import { TOKENS } from '../../src/tokens.js';

type Stored = Notification & { leaseId: string | null; leaseUntil: Date | null };

const copy = ({ leaseId: _leaseId, leaseUntil: _leaseUntil, ...n }: Stored): Notification => structuredClone(n);

/** The repository contract in memory, lease rules included; records are copied in and out like a database would. */
export class InMemoryNotificationRepository implements NotificationRepository {
  readonly stored = new Map<string, Stored>();

  async createIfAbsent(draft: NotificationDraft): Promise<Notification> {
    return this.insert(draft) ?? copy(this.byEvent(draft)!);
  }

  async createLeased(draft: NotificationDraft, leaseId: string, until: Date): Promise<Notification | null> {
    return this.insert(draft, { leaseId, until });
  }

  async createSkipped(draft: SkippedDraft): Promise<Notification | null> {
    if (this.byEvent(draft)) return null;
    return this.store({ ...structuredClone(draft), status: 'SKIPPED', attempts: 0, leaseId: null, leaseUntil: null });
  }

  async insertMany(records: readonly NewRecord[]): Promise<Array<Notification | null>> {
    const created: Array<Notification | null> = [];
    for (const record of records) {
      created.push(
        record.kind === 'leased'
          ? await this.createLeased(record.draft, record.leaseId, record.until)
          : await this.createSkipped(record.draft),
      );
    }
    return created;
  }

  async settleMany(settlements: readonly Settlement[]): Promise<void> {
    for (const s of settlements) {
      if ('sentAt' in s) await this.markSent(s.id, s.sentAt);
      else await this.markFailed(s.id, s.leaseId, s.error);
    }
  }

  async findByEvent(eventId: string, channel: Channel): Promise<Notification | null> {
    const record = this.byEvent({ eventId, channel });
    return record ? copy(record) : null;
  }

  async findByEvents(eventIds: readonly string[]): Promise<Notification[]> {
    return [...this.stored.values()].filter((n) => eventIds.includes(n.eventId)).map(copy);
  }

  async isEmpty(): Promise<boolean> {
    return this.stored.size === 0;
  }

  private byEvent(key: { eventId: string; channel: Channel }): Stored | undefined {
    return [...this.stored.values()].find((n) => n.eventId === key.eventId && n.channel === key.channel);
  }

  private insert(draft: NotificationDraft, lease?: { leaseId: string; until: Date }): Notification | null {
    if (this.byEvent(draft)) return null;
    return this.store({
      ...structuredClone(draft),
      status: 'PENDING',
      attempts: lease ? 1 : 0,
      leaseId: lease?.leaseId ?? null,
      leaseUntil: lease?.until ?? null,
    });
  }

  private store(fields: Omit<Stored, 'id' | 'createdAt' | 'updatedAt'>): Notification {
    const now = new Date();
    const record: Stored = { ...fields, id: randomUUID(), createdAt: now, updatedAt: now };
    this.stored.set(record.id, record);
    return copy(record);
  }

  async acquireLease(id: string, leaseId: string, now: Date, until: Date): Promise<Notification | null> {
    const record = this.stored.get(id);
    if (!record || isSettled(record.status) || (record.leaseUntil && record.leaseUntil > now)) return null;
    Object.assign(record, { leaseId, leaseUntil: until, attempts: record.attempts + 1 });
    return copy(record);
  }

  async findById(id: string): Promise<Notification | null> {
    const record = this.stored.get(id);
    return record ? copy(record) : null;
  }

  async markSent(id: string, sentAt: Date): Promise<void> {
    const record = this.stored.get(id);
    if (!record || isSettled(record.status)) return;
    Object.assign(record, { status: 'SENT', sentAt, leaseId: null, leaseUntil: null, error: undefined });
  }

  async markFailed(id: string, leaseId: string, error: string): Promise<void> {
    const record = this.stored.get(id);
    if (!record || isSettled(record.status) || record.leaseId !== leaseId) return;
    Object.assign(record, { status: 'FAILED', error, leaseId: null, leaseUntil: null });
  }

  async find(query: NotificationQuery): Promise<Notification[]> {
    return [...this.stored.values()]
      .filter(
        (n) =>
          (query.orderId === undefined || n.orderId === query.orderId) &&
          (query.customerId === undefined || n.customerId === query.customerId),
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, query.limit)
      .map(copy);
  }

  all(): Notification[] {
    return [...this.stored.values()].map(copy);
  }
}

export class InMemoryPreferencesRepository implements PreferencesRepository {
  readonly stored = new Map<string, ContactPreferences>();

  async find(customerId: string): Promise<ContactPreferences | null> {
    return this.stored.get(customerId) ?? null;
  }

  async findMany(customerIds: readonly string[]): Promise<Map<string, ContactPreferences>> {
    return new Map(customerIds.flatMap((id) => (this.stored.has(id) ? [[id, this.stored.get(id)!] as const] : [])));
  }

  async replace(preferences: ContactPreferences): Promise<{ preferences: ContactPreferences; created: boolean }> {
    const created = !this.stored.has(preferences.customerId);
    this.stored.set(preferences.customerId, preferences);
    return { preferences, created };
  }

  async createIfAbsent(preferences: ContactPreferences): Promise<boolean> {
    if (this.stored.has(preferences.customerId)) return false;
    this.stored.set(preferences.customerId, preferences);
    return true;
  }

  async isEmpty(): Promise<boolean> {
    return this.stored.size === 0;
  }
}

/** A provider that records every call and fails while told to. */
export class FakeProvider implements NotificationProvider {
  readonly calls: OutgoingMessage[] = [];
  failing = false;
  /** Optional pause inside send, to make concurrent handlers overlap. */
  delayMs = 0;

  constructor(readonly channel: Channel) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.calls.push(message);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failing) throw new ProviderUnavailableError(`${this.channel} gateway down`);
  }

  async sendMany(messages: readonly OutgoingMessage[]): Promise<unknown[]> {
    return Promise.all(
      messages.map((message) =>
        this.send(message).then(
          () => undefined,
          (err: unknown) => err,
        ),
      ),
    );
  }
}

export class InMemoryMockMailbox implements MockMailbox {
  readonly deliveries = new Map<string, MockDelivery>();

  async deliverOnce(delivery: MockDelivery): Promise<boolean> {
    const key = `${delivery.channel}:${delivery.notificationId}`;
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, delivery);
    return true;
  }

  async deliverMany(deliveries: readonly MockDelivery[]): Promise<boolean[]> {
    const delivered: boolean[] = [];
    for (const delivery of deliveries) delivered.push(await this.deliverOnce(delivery));
    return delivered;
  }
}

/** A random source that returns the given values in turn (then repeats the last). */
export const sequence = (...values: number[]): (() => number) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
};

/** A short send lease, so a test of a lapsed lease waits 300 ms instead of the default 10 s. */
export const SHORT_LEASE = { NOTIFICATION_SEND_LEASE_MS: '300' };

/** The service's config as the unit tests run it (for classes built by hand). */
export const testConfig = (env: Record<string, string> = {}): Config => ConfigSchema.parse(testEnv({ ...SHORT_LEASE, ...env }));

/** In-memory repositories and recording providers, and the override that puts them into the service (unitService's `register`). */
export function fakePorts() {
  const fakes = {
    notifications: new InMemoryNotificationRepository(),
    preferences: new InMemoryPreferencesRepository(),
    email: new FakeProvider('email'),
    sms: new FakeProvider('sms'),
  };
  return {
    ...fakes,
    register(container: DependencyContainer): void {
      container.registerInstance(TOKENS.NotificationRepository, fakes.notifications);
      container.registerInstance(TOKENS.PreferencesRepository, fakes.preferences);
      container.registerInstance(TOKENS.EmailProvider, fakes.email);
      container.registerInstance(TOKENS.SmsProvider, fakes.sms);
    },
  };
}

/** Wraps a real provider and counts the calls it gets. */
export class SpyProvider implements NotificationProvider {
  readonly calls: OutgoingMessage[] = [];

  constructor(private readonly inner: NotificationProvider) {}

  get channel() {
    return this.inner.channel;
  }

  send(message: OutgoingMessage): Promise<void> {
    this.calls.push(message);
    return this.inner.send(message);
  }

  sendMany(messages: readonly OutgoingMessage[]): Promise<unknown[]> {
    this.calls.push(...messages);
    return this.inner.sendMany(messages);
  }
}
