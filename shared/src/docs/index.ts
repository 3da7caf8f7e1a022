export * from './openApi.js';
export * from './asyncApiDocument.js';
