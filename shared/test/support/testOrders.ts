import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type ConnectOptions, type Connection, type Model } from 'mongoose';
import pino, { type Logger } from 'pino';
import { createEvent, type DomainEvent } from '../../src/contracts/codec.js';
import { outboxPlugin, type OutboxFields } from '../../src/outbox/outboxSchema.js';

/** A minimal aggregate for testing the kit: an order document with an outbox and a counter of applied events. */
export interface TestOrder extends OutboxFields {
  _id: string;
  status: string;
  applied: number;
}

export function testOrderModel(connection: Connection): Model<TestOrder> {
  const schema = new Schema<TestOrder>({ _id: String, status: String, applied: { type: Number, default: 0 } }, { versionKey: false });
  schema.plugin(outboxPlugin);
  return (connection.models.TestOrder as Model<TestOrder> | undefined) ?? connection.model<TestOrder>('TestOrder', schema, 'orders');
}

/** Connects the way services do (connectDatabase): with sanitizeFilter on, so the kit's own queries are tested under it. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Connection> {
  mongoose.set('sanitizeFilter', true);
  mongoose.set('strictQuery', true);
  return mongoose.createConnection(url, options).asPromise();
}

export function buildOrderPlaced(overrides: { orderId?: string; correlationId?: string } = {}): DomainEvent<'OrderPlaced'> {
  const orderId = overrides.orderId ?? randomUUID();
  return createEvent(
    'OrderPlaced',
    { orderId, customerId: 'c-1', items: [{ productId: 'p-1', quantity: 2, price: 29.99 }], totalAmount: 59.98, currency: 'USD' },
    { source: 'test', correlationId: overrides.correlationId ?? randomUUID() },
  );
}

export const silentLogger = (): Logger => pino({ level: 'silent' });

/** A logger whose JSON lines are collected in `lines`. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (chunk: string) => lines.push(JSON.parse(chunk) as Record<string, unknown>) });
  return { logger, lines };
}

/** Documents whose outbox still holds events (the operator is trusted: sanitizeFilter is on, as in services). */
export function pendingCount(model: Model<TestOrder>): Promise<number> {
  return model.countDocuments({ 'outbox.0': mongoose.trusted({ $exists: true }) });
}
