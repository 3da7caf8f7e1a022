import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';

/** Brokers and database of the stack the global setup brought up. */
export const kafkaBrokers = (): string[] => inject('kafkaBrokers').split(',');
export const dbUrl = (): string => inject('dbUrl');

/** A name no other test (or earlier run) uses, so tests never see each other's data. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A database URL for one test file: same server, its own database. */
export function dbUrlFor(database: string): string {
  const url = new URL(dbUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

export function testKafka(clientId = uniqueName('test')): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.WARN });
}
