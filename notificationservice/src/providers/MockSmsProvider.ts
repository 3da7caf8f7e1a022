import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { Config } from '../config.js';
import { TOKENS } from '../tokens.js';
import type { MockMailbox, RandomSource } from './MockMailbox.js';
import { MockProvider } from './MockProvider.js';

/** SMS, mocked: fails MOCK_SMS_FAILURE_RATE of the sends. */
@injectable()
export class MockSmsProvider extends MockProvider {
  readonly channel = 'sms' as const;

  constructor(
    @inject(TOKENS.Config) config: Pick<Config, 'MOCK_SMS_FAILURE_RATE'>,
    @inject(TOKENS.Random) random: RandomSource,
    @inject(TOKENS.MockMailbox) mailbox: MockMailbox,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    super(config.MOCK_SMS_FAILURE_RATE, random, mailbox, logger, 'mock-sms');
  }
}
