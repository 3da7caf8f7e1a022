import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { MockEmailProvider } from '../src/providers/MockEmailProvider.js';
import { MockSmsProvider } from '../src/providers/MockSmsProvider.js';
import { ProviderUnavailableError } from '../src/domain/errors/ProviderUnavailableError.js';
import { InMemoryMockMailbox, sequence, testConfig } from './support/fakes.js';
import { capturingLogger, silentLogger } from './support/logs.js';

const message = { notificationId: 'n-1', to: 'ada@example.com', subject: 'Hi', body: 'Hello Ada' };

describe('mock email and SMS providers', () => {
  it('fail the share of sends the failure rate says, with a transient error, by the injected random source', async () => {
    const mailbox = new InMemoryMockMailbox();
    const provider = new MockSmsProvider(
      testConfig({ MOCK_SMS_FAILURE_RATE: '0.5' }),
      sequence(0.2, 0.7, 0.49, 0.5),
      mailbox,
      silentLogger(),
    );

    const outcomes = [];
    for (const id of ['a', 'b', 'c', 'd'])
      outcomes.push(
        await provider.send({ ...message, notificationId: id }).then(
          () => 'sent',
          (err: unknown) => err,
        ),
      );

    expect(outcomes[0]).toBeInstanceOf(ProviderUnavailableError);
    expect(outcomes[1]).toBe('sent');
    expect(outcomes[2]).toBeInstanceOf(ProviderUnavailableError);
    expect(outcomes[3]).toBe('sent');
    expect([...mailbox.deliveries.keys()]).toEqual(['sms:b', 'sms:d']);
  });

  it('with the default rate 0 never fail, and with rate 1 always fail', async () => {
    const never = new MockEmailProvider(testConfig(), () => 0, new InMemoryMockMailbox(), silentLogger());
    const always = new MockEmailProvider(
      testConfig({ MOCK_EMAIL_FAILURE_RATE: '1' }),
      () => 0.999,
      new InMemoryMockMailbox(),
      silentLogger(),
    );

    await expect(never.send(message)).resolves.toBeUndefined();
    await expect(always.send(message)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('deliver a message once per notificationId, like a real idempotency key', async () => {
    const mailbox = new InMemoryMockMailbox();
    const provider = new MockEmailProvider(testConfig(), Math.random, mailbox, silentLogger());

    await provider.send(message);
    await provider.send({ ...message, body: 'a re-send after a crash' });
    await provider.send({ ...message, notificationId: 'n-2' });

    expect(mailbox.deliveries.size).toBe(2);
    expect(mailbox.deliveries.get('email:n-1')).toMatchObject({ to: 'ada@example.com', body: 'Hello Ada' });
  });

  it('log each send without the recipient address (the shared logger redacts it)', async () => {
    const { logger, lines, raw } = capturingLogger();
    const email = new MockEmailProvider(testConfig(), Math.random, new InMemoryMockMailbox(), logger);
    const sms = new MockSmsProvider(testConfig(), Math.random, new InMemoryMockMailbox(), logger);

    await email.send(message);
    await sms.send({ ...message, to: '+14155550123' });

    expect(lines.map((l) => [l.msg, l.notificationId, l.recipient])).toEqual([
      ['Mock email sent', 'n-1', '[REDACTED]'],
      ['Mock sms sent', 'n-1', '[REDACTED]'],
    ]);
    expect(raw.join('')).not.toContain('ada@example.com');
    expect(raw.join('')).not.toContain('+14155550123');
  });
});
