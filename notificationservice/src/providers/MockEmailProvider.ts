import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { Config } from '../config.js';
import { TOKENS } from '../tokens.js';
import type { MockMailbox, RandomSource } from './MockMailbox.js';
import { MockProvider } from './MockProvider.js';

/** Email, mocked: fails MOCK_EMAIL_FAILURE_RATE of the sends. */
@injectable()
export class MockEmailProvider extends MockProvider {
  readonly channel = 'email' as const;

  constructor(
    @inject(TOKENS.Config) config: Pick<Config, 'MOCK_EMAIL_FAILURE_RATE'>,
    @inject(TOKENS.Random) random: RandomSource,
    @inject(TOKENS.MockMailbox) mailbox: MockMailbox,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    super(config.MOCK_EMAIL_FAILURE_RATE, random, mailbox, logger, 'mock-email');
  }
}
