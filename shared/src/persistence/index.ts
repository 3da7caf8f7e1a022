// The kit's MongoDB code: the connection and its collections, the processed-events store, and how
// to read the driver's errors.
export { connectDatabase, createDatabaseConnection, initModels, isDatabaseUp, type ManagedModel } from './connectDatabase.js';
export { isDependencyUnavailable } from './dependencyErrors.js';
export { MongoProcessedEventStore } from './MongoProcessedEventStore.js';
export { duplicateKeyIndexes, insertValidated, isDuplicateKeyError, trusted } from './mongo.js';
