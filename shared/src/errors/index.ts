export * from './DomainError.js';
export * from './PermanentError.js';
