/** Why a bearer token was not accepted; the message is safe to show to the caller. */
export class InvalidCustomerTokenError extends Error {
  constructor(
    message: string,
    readonly reason: 'expired' | 'invalid',
  ) {
    super(message);
    this.name = 'InvalidCustomerTokenError';
  }
}
