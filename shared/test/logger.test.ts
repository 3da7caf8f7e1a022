import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { runWithContext } from '../src/context/requestContext.js';
import { createLogger, kafkaLogCreator, redactUrlCredentials } from '../src/logging/index.js';
import { captureLogs } from './support/captureLogs.js';

function loggerWithCapture(level: 'info' | 'debug' = 'info') {
  const logs = captureLogs();
  return { logs, logger: createLogger({ service: 'orderservice', level, destination: logs.destination }) };
}

describe('createLogger', () => {
  it('when logging, writes JSON with the service name and the level as a label', () => {
    const { logs, logger } = loggerWithCapture();

    logger.info({ orderId: 'o-1' }, 'Order placed');

    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({ service: 'orderservice', level: 'info', orderId: 'o-1', msg: 'Order placed' });
  });

  it('when inside a request context, adds its correlationId and causationId to every line', () => {
    const { logs, logger } = loggerWithCapture();

    runWithContext({ correlationId: 'corr-1', causationId: 'evt-9' }, () => logger.child({ component: 'x' }).info('handled'));
    logger.info('outside');

    expect(logs.lines[0]).toMatchObject({ correlationId: 'corr-1', causationId: 'evt-9', component: 'x' });
    expect(logs.lines[1]).not.toHaveProperty('correlationId');
  });

  it('when a child logger already binds correlationId, the line carries it once', () => {
    const { logs, logger } = loggerWithCapture();

    runWithContext({ correlationId: 'corr-2' }, () => logger.child({ correlationId: 'corr-2' }).info('once'));

    expect(logs.raw[0]?.match(/"correlationId"/g)).toHaveLength(1);
  });

  it('when email, phone or API keys are logged at the usual paths, censors them', () => {
    const { logs, logger } = loggerWithCapture();

    logger.info(
      {
        email: 'a@example.com',
        phone: '+4912345',
        apiKey: 'secret-1',
        customer: { email: 'b@example.com', phone: '+4967890', name: 'Ada' },
        order: { customer: { email: 'c@example.com' } },
        req: { headers: { 'x-api-key': 'secret-2', authorization: 'Bearer secret-3', accept: 'application/json' } },
      },
      'sensitive',
    );

    const line = logs.raw[0] ?? '';
    for (const secret of ['a@example.com', 'b@example.com', 'c@example.com', '+4912345', '+4967890', 'secret-1', 'secret-2', 'secret-3']) {
      expect(line).not.toContain(secret);
    }
    expect(logs.lines[0]).toMatchObject({
      email: '[REDACTED]',
      customer: { email: '[REDACTED]', phone: '[REDACTED]', name: 'Ada' },
      req: { headers: { 'x-api-key': '[REDACTED]', authorization: '[REDACTED]', accept: 'application/json' } },
    });
  });
});

describe('kafkaLogCreator', () => {
  it('when kafkajs logs, writes through pino at the mapped level with component kafkajs', () => {
    const { logs, logger } = loggerWithCapture('debug');
    const log = kafkaLogCreator(logger)(logLevel.INFO);

    log({
      namespace: 'Consumer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { message: 'Crash', timestamp: 'ts', logger: 'kafkajs', groupId: 'g1' },
    });
    log({ namespace: 'Producer', level: logLevel.WARN, label: 'WARN', log: { message: 'Slow', timestamp: 'ts', logger: 'kafkajs' } });
    log({ namespace: 'Broker', level: logLevel.DEBUG, label: 'DEBUG', log: { message: 'Request', timestamp: 'ts', logger: 'kafkajs' } });

    expect(logs.lines.map((l) => [l.level, l.msg, l.namespace, l.component])).toEqual([
      ['error', 'Crash', 'Consumer', 'kafkajs'],
      ['warn', 'Slow', 'Producer', 'kafkajs'],
      ['debug', 'Request', 'Broker', 'kafkajs'],
    ]);
    expect(logs.lines[0]).toMatchObject({ groupId: 'g1' });
    expect(logs.lines[0]).not.toHaveProperty('timestamp');
  });
});

describe('redactUrlCredentials', () => {
  it('hides the user and password of a database URL, all of it even with a raw "@" in the password, and leaves the rest', () => {
    expect(redactUrlCredentials('mongodb://app:s3cret@db-1:27017,db-2:27017/orderdb?authSource=admin')).toBe(
      'mongodb://***@db-1:27017,db-2:27017/orderdb?authSource=admin',
    );
    expect(redactUrlCredentials('mongodb+srv://app:p@ss@cluster.example.net/orderdb')).toBe(
      'mongodb+srv://***@cluster.example.net/orderdb',
    );
    expect(redactUrlCredentials('mongodb://127.0.0.1:27017/orderdb?appName=a@b')).toBe('mongodb://127.0.0.1:27017/orderdb?appName=a@b');
  });
});
