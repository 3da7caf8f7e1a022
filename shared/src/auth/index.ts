export { CustomerTokens } from './CustomerTokens.js';
export { InvalidCustomerTokenError } from './InvalidCustomerTokenError.js';
