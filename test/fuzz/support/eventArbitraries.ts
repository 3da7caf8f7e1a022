import fc from 'fast-check';
import { EVENT_TYPES, isEventType, type EventType } from '@orderplatform/shared/contracts';
import { validId } from './fieldKinds.js';
import { longString, prototypePollution, RawObject, RawText, toJsonText, unicodeString, wrongType, type JsonNode } from './hostileJson.js';

export type TopicKey = 'order' | 'inventory';

/**
 * What the fuzzer claims about a message by construction: `invalid` (not JSON, not an envelope, or a
 * known type whose payload breaks its schema) must be dead-lettered by every consuming group;
 * `unknown-type` must be skipped; `any` is left to the contract itself (it may well be valid).
 */
export type Claim = 'invalid' | 'unknown-type' | 'any';

export interface HostileMessage {
  what: string;
  claim: Claim;
  topic: TopicKey;
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
}

const TOPIC_OF: Record<EventType, TopicKey> = {
  OrderPlaced: 'order',
  OrderConfirmed: 'order',
  OrderCancelled: 'order',
  OrderShipped: 'order',
  OrderDelivered: 'order',
  InventoryReserved: 'inventory',
  InventoryFailed: 'inventory',
  InventoryReleased: 'inventory',
};

type Kind =
  | 'id'
  | 'money'
  | 'currency'
  | 'lines'
  | 'stockLines'
  | 'stockLines0'
  | 'cancelReason'
  | 'status'
  | 'failReason'
  | 'details'
  | 'releaseReason'
  | 'contact'
  | 'ids'
  | 'shortfalls';

interface Field {
  name: string;
  kind: Kind;
  required: boolean;
}

const f = (name: string, kind: Kind, required = true): Field => ({ name, kind, required });

const ORDER_REF = [f('orderId', 'id'), f('customerId', 'id'), f('customer', 'contact', false)];

/** The payload fields of every event type (shared/src/contracts/schemas.ts, latest versions). */
const FIELDS: Record<EventType, Field[]> = {
  OrderPlaced: [...ORDER_REF, f('items', 'lines'), f('totalAmount', 'money'), f('currency', 'currency')],
  OrderConfirmed: [...ORDER_REF, f('totalAmount', 'money'), f('currency', 'currency'), f('reservationId', 'id', false)],
  OrderCancelled: [
    ...ORDER_REF,
    f('reason', 'cancelReason'),
    f('details', 'details', false),
    f('previousStatus', 'status'),
    f('totalAmount', 'money', false),
  ],
  OrderShipped: [...ORDER_REF, f('items', 'stockLines0', false)],
  OrderDelivered: ORDER_REF,
  InventoryReserved: [f('orderId', 'id'), f('reservationId', 'id'), f('items', 'stockLines')],
  InventoryFailed: [
    f('orderId', 'id'),
    f('reason', 'failReason'),
    f('shortfalls', 'shortfalls', false),
    f('unknownProductIds', 'ids', false),
  ],
  InventoryReleased: [f('orderId', 'id'), f('reservationId', 'id'), f('items', 'stockLines0'), f('reason', 'releaseReason')],
};

const CANCEL_REASONS = ['INSUFFICIENT_STOCK', 'UNKNOWN_PRODUCT', 'CUSTOMER_REQUEST', 'ADMIN_REQUEST', 'TIMEOUT'];
const STATUSES = ['PENDING', 'CONFIRMED', 'CANCELLED', 'SHIPPED', 'DELIVERED'];
const FAIL_REASONS = ['INSUFFICIENT_STOCK', 'UNKNOWN_PRODUCT'];

/** Order ids the fuzzer invents: never those of the valid events it interleaves. */
const fuzzOrderId = fc.oneof(
  validId(),
  fc.uuid({ version: 4 }).map((u) => `fz-${u}`),
);
const stockLine = fc.record({ productId: validId(), quantity: fc.integer({ min: 1, max: 1_000_000 }) });

function validValue(kind: Kind): fc.Arbitrary<JsonNode> {
  switch (kind) {
    case 'id':
      return fuzzOrderId;
    case 'money':
      return fc.integer({ min: 0, max: 10_000_000_000 }).map((c) => c / 100);
    case 'currency':
      return fc.constantFrom('USD', 'EUR', 'JPY', 'XXX');
    case 'lines':
      return fc.array(
        fc.record({
          productId: validId(),
          quantity: fc.integer({ min: 1, max: 1_000_000 }),
          price: fc.integer({ min: 0, max: 1e9 }).map((c) => c / 100),
        }),
        { minLength: 1, maxLength: 4 },
      );
    case 'stockLines':
      return fc.array(stockLine, { minLength: 1, maxLength: 4 });
    case 'stockLines0':
      return fc.array(stockLine, { maxLength: 4 });
    case 'cancelReason':
      return fc.constantFrom(...CANCEL_REASONS);
    case 'status':
      return fc.constantFrom(...STATUSES);
    case 'failReason':
      return fc.constantFrom(...FAIL_REASONS);
    case 'details':
      return fc.string({ maxLength: 500 });
    case 'releaseReason':
      return fc.string({ maxLength: 100 });
    case 'contact':
      return fc.record(
        {
          email: fc.oneof(fc.emailAddress(), unicodeString(20), fc.constant('')),
          phone: fc.oneof(fc.constantFrom('+14155550123', '0301234567'), unicodeString(20)),
          name: unicodeString(40),
        },
        { requiredKeys: [] },
      ) as fc.Arbitrary<JsonNode>;
    case 'ids':
      return fc.array(validId(), { maxLength: 4 });
    case 'shortfalls':
      return fc.array(
        fc.record({ productId: validId(), requested: fc.integer({ min: 1, max: 1000 }), available: fc.integer({ min: 0, max: 1000 }) }),
        { maxLength: 3 },
      );
  }
}

/** Values each kind certainly refuses (zod: ids 1–64, money ≥ 0 and finite, [A-Z]{3}, enums, positive int quantities…). */
function invalidValue(kind: Kind): fc.Arbitrary<JsonNode> {
  const string = wrongType('string');
  switch (kind) {
    case 'id':
      return fc.oneof(fc.constant(''), longString(65, 500, ['x', 'é']), string);
    case 'money':
      return fc.oneof(
        fc.constantFrom(-0.01, -1, -1e9),
        fc.constant(new RawText('1e400')),
        fc.constant(new RawText('-1e400')),
        wrongType('number'),
      );
    case 'currency':
      return fc.oneof(fc.constantFrom('usd', 'US', 'USDD', '', '€€€', 'U$D'), string);
    case 'lines':
      return fc.oneof(
        fc.constantFrom<JsonNode>(
          [],
          [{ productId: '', quantity: 1, price: 1 }],
          [{ productId: 'a', quantity: 0, price: 1 }],
          [{ productId: 'a', quantity: 1.5, price: 1 }],
          [{ productId: 'a', quantity: 1, price: -1 }],
          [{ productId: 'a', quantity: 1 }],
          [null],
          ['x'],
        ),
        wrongType('array'),
      );
    case 'stockLines':
    case 'stockLines0':
      return fc.oneof(
        fc.constantFrom<JsonNode>(
          [{ productId: 'a', quantity: 0 }],
          [{ productId: 'a', quantity: -3 }],
          [{ productId: 'a', quantity: 2.5 }],
          [{ quantity: 1 }],
          [1],
          [{ productId: 'x'.repeat(65), quantity: 1 }],
        ),
        kind === 'stockLines' ? fc.constant<JsonNode>([]) : fc.constant<JsonNode>(null),
        wrongType('array'),
      );
    case 'cancelReason':
    case 'status':
    case 'failReason': {
      const values = kind === 'cancelReason' ? CANCEL_REASONS : kind === 'status' ? STATUSES : FAIL_REASONS;
      return fc.oneof(
        fc.string({ maxLength: 20 }).filter((s) => !values.includes(s)),
        fc.constantFrom(...values).map((v) => v.toLowerCase()),
        string,
      );
    }
    case 'details':
      return fc.oneof(longString(501, 2_000, ['x']), string);
    case 'releaseReason':
      return fc.oneof(longString(101, 1_000, ['x']), string);
    case 'contact':
      return fc.constantFrom<JsonNode>(
        'x',
        [],
        1,
        true,
        null,
        { email: 5 },
        { name: 'x'.repeat(201) },
        { phone: 'x'.repeat(33) },
        { email: null },
      );
    case 'ids':
      return fc.constantFrom<JsonNode>([''], ['x'.repeat(65)], 'x', [1], [null], {});
    case 'shortfalls':
      return fc.constantFrom<JsonNode>(
        [{ productId: 'a', requested: 0, available: 0 }],
        [{ productId: 'a', requested: 1, available: -1 }],
        [{ productId: 'a' }],
        'x',
        [null],
      );
  }
}

/** A valid payload of the type (every optional field present or not). */
export function validData(type: EventType): fc.Arbitrary<Record<string, JsonNode>> {
  const fields = FIELDS[type];
  return fc.record(Object.fromEntries(fields.map((field) => [field.name, validValue(field.kind)])), {
    requiredKeys: fields.filter((x) => x.required).map((x) => x.name),
  }) as fc.Arbitrary<Record<string, JsonNode>>;
}

/** A valid envelope around `data` (SPEC §4), as a plain object to mutate. */
export const envelope = (
  type: string,
  data: fc.Arbitrary<JsonNode>,
  version: fc.Arbitrary<JsonNode> = fc.constant(1),
): fc.Arbitrary<Record<string, JsonNode>> =>
  fc.record({
    eventId: fc.uuid({ version: 4 }),
    eventType: fc.constant(type),
    version,
    occurredAt: fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    source: fc.constantFrom('orderservice', 'inventoryservice', 'fuzz'),
    correlationId: fc.uuid({ version: 4 }),
    causationId: fc.option(fc.uuid({ version: 4 }), { nil: null }),
    data,
  });

const latestVersion = (type: EventType): number => (type === 'OrderPlaced' ? 2 : 1);

const knownType = fc.constantFrom(...EVENT_TYPES);

/** A known type, a valid envelope, a payload broken in one certain way. */
const brokenPayload: fc.Arbitrary<Omit<HostileMessage, 'key' | 'headers'>> = knownType.chain((type) => {
  const fields = FIELDS[type];
  const required = fields.filter((x) => x.required);
  const mutation = fc.oneof(
    fc.constantFrom(...required).map((field) => ({
      what: `${type}.${field.name} dropped`,
      apply: (d: Record<string, JsonNode>) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== field.name)) as JsonNode,
    })),
    fc.constantFrom(...fields).chain((field) =>
      invalidValue(field.kind).map((value) => ({
        what: `${type}.${field.name} = ${toJsonText(value).slice(0, 60)}`,
        apply: (d: Record<string, JsonNode>) => ({ ...d, [field.name]: value }) as JsonNode,
      })),
    ),
    fc
      .constantFrom<JsonNode>(null, 1, 'x', [], true)
      .map((value) => ({ what: `${type} data = ${JSON.stringify(value)}`, apply: () => value })),
  );
  return fc.tuple(validData(type), mutation).chain(([data, m]) =>
    envelope(type, fc.constant(m.apply(data)), fc.constant(latestVersion(type))).map((env) => ({
      what: m.what,
      claim: 'invalid' as const,
      topic: TOPIC_OF[type],
      value: Buffer.from(toJsonText(env)),
    })),
  );
});

/** A known type with a valid payload in a broken envelope. */
const brokenEnvelope: fc.Arbitrary<Omit<HostileMessage, 'key' | 'headers'>> = knownType.chain((type) =>
  fc
    .tuple(
      envelope(type, validData(type), fc.constant(latestVersion(type))),
      fc.constantFrom<[string, JsonNode | undefined]>(
        ['eventId', 'not-a-uuid'],
        ['eventId', 123],
        ['eventId', undefined],
        ['version', 0],
        ['version', -1],
        ['version', 1.5],
        ['version', '1'],
        ['version', null],
        ['version', undefined],
        ['occurredAt', 'yesterday'],
        ['occurredAt', 123],
        ['occurredAt', '2024-13-45T00:00:00Z'],
        ['source', ''],
        ['source', undefined],
        ['source', 'x'.repeat(101)],
        ['correlationId', ''],
        ['correlationId', 'x'.repeat(129)],
        ['causationId', undefined],
        ['causationId', ''],
        ['eventType', ''],
        ['eventType', 'x'.repeat(101)],
        ['eventType', 42],
      ),
    )
    .map(([env, [field, value]]) => {
      const broken = { ...env } as Record<string, JsonNode>;
      if (value === undefined) delete broken[field];
      else broken[field] = value;
      return {
        what: `${type} envelope ${field} = ${String(JSON.stringify(value)).slice(0, 30)}`,
        claim: 'invalid' as const,
        topic: TOPIC_OF[type],
        value: Buffer.from(toJsonText(broken)),
      };
    }),
);

const UNKNOWN_TYPES = [
  'orderplaced',
  'OrderPlaced ',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'OrderPlacedV2',
  'Order.Placed',
  'InventoryReserved\u0000',
  'OrderRefunded',
  'PaymentCaptured',
];

/** A valid envelope of a type nobody knows (forward compatibility: skipped, not dead-lettered). */
const unknownType: fc.Arbitrary<Omit<HostileMessage, 'key' | 'headers'>> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...UNKNOWN_TYPES),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }).filter((s) => s.length <= 100 && !isEventType(s)),
    ),
    fc.constantFrom<TopicKey>('order', 'inventory'),
  )
  .chain(([type, topic]) =>
    envelope(type, fc.jsonValue() as fc.Arbitrary<JsonNode>, fc.integer({ min: 1, max: 1_000 })).map((env) => ({
      what: `unknown type ${JSON.stringify(type)}`,
      claim: 'unknown-type' as const,
      topic,
      value: Buffer.from(toJsonText(env)),
    })),
  );

/** A known type with a valid payload and a version that may or may not be readable (the contract decides). */
const oddVersion: fc.Arbitrary<Omit<HostileMessage, 'key' | 'headers'>> = knownType.chain((type) =>
  envelope(type, validData(type), fc.constantFrom<JsonNode>(1, 2, 3, 99, 2 ** 31, 1e21, new RawText('1e400'))).map((env) => ({
    what: `${type} version ${toJsonText(env.version!)}`,
    claim: 'any' as const,
    topic: TOPIC_OF[type],
    value: Buffer.from(toJsonText(env)),
  })),
);

/** Valid payloads with extras a tolerant reader ignores: unknown keys, prototype keys, unicode ids. */
const tolerated: fc.Arbitrary<Omit<HostileMessage, 'key' | 'headers'>> = knownType.chain((type) =>
  fc
    .tuple(
      validData(type),
      fc.oneof(
        prototypePollution(),
        fc
          .dictionary(fc.string({ maxLength: 10 }), fc.jsonValue() as fc.Arbitrary<JsonNode>, { maxKeys: 3 })
          .map((d) => new RawObject([['extra', d]])),
      ),
      unicodeString(64),
    )
    .chain(([data, extra, unicodeId]) =>
      envelope(
        type,
        fc.constant(new RawObject([...Object.entries({ ...data, orderId: `fz-${unicodeId}`.slice(0, 64) }), ...extra.entries])),
      ).map((env) => ({
        what: `${type} with extra keys / unicode ids`,
        claim: 'any' as const,
        topic: TOPIC_OF[type],
        value: Buffer.from(toJsonText({ ...env, version: latestVersion(type) })),
      })),
    ),
);

/** Large messages, kept under the broker's 1 MB limit: a huge id (invalid), a huge extra field (tolerated), many lines. */
const huge: fc.Arbitrary<Omit<HostileMessage, 'key' | 'headers'>> = fc.oneof(
  fc.tuple(validData('OrderPlaced'), longString(100_000, 600_000, ['x'])).chain(([data, big]) =>
    envelope('OrderPlaced', fc.constant({ ...data, orderId: big }), fc.constant(2)).map((env) => ({
      what: `OrderPlaced with a ${big.length}-char orderId`,
      claim: 'invalid' as const,
      topic: 'order' as const,
      value: Buffer.from(toJsonText(env)),
    })),
  ),
  fc.tuple(validData('OrderPlaced'), longString(100_000, 300_000, ['y', 'é'])).chain(([data, big]) =>
    envelope('OrderPlaced', fc.constant({ ...data, blob: big }), fc.constant(2)).map((env) => ({
      what: `OrderPlaced with a ${big.length}-char extra field`,
      claim: 'any' as const,
      topic: 'order' as const,
      value: Buffer.from(toJsonText(env)),
    })),
  ),
  fc.tuple(validData('OrderPlaced'), fc.integer({ min: 100, max: 500 })).chain(([data, lines]) =>
    envelope(
      'OrderPlaced',
      fc.constant({ ...data, items: Array.from({ length: lines }, (_, i) => ({ productId: `fz-p${i}`, quantity: 1, price: 1 })) }),
      fc.constant(2),
    ).map((env) => ({
      what: `OrderPlaced with ${lines} lines`,
      claim: 'any' as const,
      topic: 'order' as const,
      value: Buffer.from(toJsonText(env)),
    })),
  ),
);

/** Bytes that are no event at all: random bytes, empty, tombstones, broken UTF-8, truncated or non-object JSON. */
const garbage: fc.Arbitrary<Omit<HostileMessage, 'key' | 'headers'>> = fc
  .tuple(
    fc.constantFrom<TopicKey>('order', 'inventory'),
    fc.oneof(
      fc.uint8Array({ maxLength: 3_000 }).map((b) => ({ what: `${b.length} random bytes`, value: Buffer.from(b) as Buffer | null })),
      fc.constant({ what: 'tombstone (null value)', value: null }),
      fc.constant({ what: 'empty value', value: Buffer.alloc(0) }),
      fc.constant({ what: 'invalid UTF-8', value: Buffer.from([0xff, 0xfe, 0x7b, 0xc0, 0xaf, 0x7d]) }),
      fc.jsonValue().map((v) => ({ what: 'random JSON', value: Buffer.from(JSON.stringify(v) ?? 'null') })),
      envelope('OrderPlaced', validData('OrderPlaced'), fc.constant(2)).chain((env) =>
        fc
          .integer({ min: 1, max: Math.max(1, toJsonText(env).length - 1) })
          .map((cut) => ({ what: 'truncated envelope', value: Buffer.from(toJsonText(env).slice(0, cut)) })),
      ),
    ),
  )
  .map(([topic, { what, value }]) => ({ what, claim: 'invalid' as const, topic, value }));

/** Headers: none, the right ones, or garbage (wrong type, binary, huge, fake DLT headers). */
const headers = (value: Buffer | null): fc.Arbitrary<Record<string, string | Buffer> | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.constant(domainHeaders(value)),
    fc.dictionary(
      fc.constantFrom(
        'eventType',
        'eventId',
        'version',
        'correlationId',
        'causationId',
        'traceparent',
        'dlt.original.offset',
        'dlt.consumer.group',
        'x-fuzz',
      ),
      fc.oneof(
        fc.string({ maxLength: 40 }),
        unicodeString(),
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
        longString(5_000, 20_000, ['h']),
        fc.constantFrom('OrderPlaced', '00-zz-yy-01', '-1'),
      ),
      { maxKeys: 5 },
    ) as fc.Arbitrary<Record<string, string | Buffer>>,
  );

function domainHeaders(value: Buffer | null): Record<string, string> | undefined {
  try {
    const env = JSON.parse(value?.toString() ?? '') as Record<string, unknown>;
    return {
      eventType: String(env.eventType),
      eventId: String(env.eventId),
      version: String(env.version),
      correlationId: String(env.correlationId),
    };
  } catch {
    return undefined;
  }
}

/** Any hostile message, with a key (none, random, binary) and headers. */
export const hostileMessage = (keys: fc.Arbitrary<string | null>): fc.Arbitrary<HostileMessage> =>
  fc
    .oneof(
      { arbitrary: garbage, weight: 3 },
      { arbitrary: brokenPayload, weight: 5 },
      { arbitrary: brokenEnvelope, weight: 2 },
      { arbitrary: unknownType, weight: 2 },
      { arbitrary: oddVersion, weight: 1 },
      { arbitrary: tolerated, weight: 1 },
      { arbitrary: huge, weight: 1 },
    )
    .chain((m) =>
      fc
        .tuple(
          fc.oneof(
            keys,
            fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b)),
          ),
          headers(m.value),
        )
        .map(([key, h]) => ({ ...m, key, ...(h ? { headers: h } : {}) })),
    );

// fast-check prints a message by what it is, not by its (possibly huge) bytes.
export function describeMessage(m: HostileMessage): string {
  return `${m.topic}: ${m.what} [${m.claim}] (${m.value?.length ?? 'null'} bytes)`;
}
