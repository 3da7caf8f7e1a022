export * from './requestContext.js';
