import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Starts mongo-java-server on a given host and port with one of its backends:
 * {@code java MongoLauncher HOST PORT h2 DATA_FILE} (the stack's durable default: H2 MVStore, one
 * file) or {@code java MongoLauncher HOST PORT memory} (STACK_MONGO_BACKEND=memory: nothing is
 * written to disk, everything is gone when it stops; for benchmarks that want the database out of
 * the way). The stack script compiles it once into the cache folder.
 *
 * <p>One change to how the server plans queries, on both backends, so the local database behaves
 * like MongoDB where the services depend on it: mongo-java-server uses an index only when a filter
 * names exactly that index's fields, so `{_id: X, status: "PENDING"}` (every conditional
 * single-document update the services make) read and decoded the whole collection — 18 ms per
 * update at 20,000 documents on H2, growing with the data. MongoDB answers such a filter from the
 * _id index. Here, a filter with an equality or `$in` on the field of a single-field unique index
 * (`_id`, a product's `productId`) fetches just those documents through that index and the server's
 * own matcher applies the rest of the filter, so results are unchanged; any other filter goes the
 * server's usual way.
 */
public class MongoLauncher {
    public static void main(String[] args) throws Exception {
        boolean h2 = args.length == 4 && args[2].equals("h2");
        boolean memory = args.length == 3 && args[2].equals("memory");
        if (!h2 && !memory) {
            System.err.println("usage: MongoLauncher HOST PORT h2 DATA_FILE | MongoLauncher HOST PORT memory");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        MongoBackend backend = h2 ? new UniqueLookupH2Backend(args[3]) : new UniqueLookupMemoryBackend();
        MongoServer server = new MongoServer(backend);
        server.bind(host, port);
        System.out.println("mongo-java-server (" + args[2] + " backend) listening on " + host + ":" + port
            + (h2 ? ", data in " + args[3] : ", data in memory only"));

        // SIGTERM from `stack:down`: stop accepting, then close the backend (H2: flush and close the MVStore, so no write is lost).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("shutting down mongo-java-server");
            try {
                server.shutdown();
            } finally {
                backend.close();
            }
        }));
        Thread.currentThread().join();
    }

    static final class UniqueLookupH2Backend extends H2Backend {
        UniqueLookupH2Backend(String file) {
            super(file);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new UniqueLookupH2Database(databaseName, getMvStore(), getCursorRegistry());
        }
    }

    static final class UniqueLookupH2Database extends H2Database {
        /**
         * The backend's one MVStore. A static because H2Database's constructor already opens the
         * existing collections (calling openOrCreateCollection) before a field of ours could be set.
         */
        private static volatile MVStore store;

        UniqueLookupH2Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
            super(databaseName, remember(mvStore), cursorRegistry);
        }

        private static MVStore remember(MVStore mvStore) {
            store = mvStore;
            return mvStore;
        }

        /** The same maps as H2Database.openOrCreateCollection (names checked against 1.47.0), in our collection class. */
        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String fullName = getFullCollectionNamespace(collectionName);
            return new UniqueLookupH2Collection(this, collectionName, options,
                store.openMap("databases." + fullName), store.openMap("meta." + fullName), cursorRegistry);
        }
    }

    static final class UniqueLookupH2Collection extends H2Collection {
        UniqueLookupH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                             org.h2.mvstore.MVMap<Object, Document> dataMap, org.h2.mvstore.MVMap<String, Object> metaMap,
                             CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int numberToReturn,
                                             int batchSize, Document projection) {
            Iterable<Object> positions = UniqueLookup.positions(getIndexes(), query);
            if (positions != null) {
                // matchDocuments applies the whole filter to each fetched document, as a scan would.
                return matchDocuments(query, positions, orderBy, numberToSkip, numberToReturn, batchSize, projection);
            }
            return super.queryDocuments(query, orderBy, numberToSkip, numberToReturn, batchSize, projection);
        }
    }

    static final class UniqueLookupMemoryBackend extends MemoryBackend {
        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
            return new UniqueLookupMemoryDatabase(databaseName, getCursorRegistry());
        }
    }

    static final class UniqueLookupMemoryDatabase extends MemoryDatabase {
        UniqueLookupMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new UniqueLookupMemoryCollection(this, collectionName, options, cursorRegistry);
        }
    }

    static final class UniqueLookupMemoryCollection extends MemoryCollection {
        UniqueLookupMemoryCollection(MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int numberToReturn,
                                             int batchSize, Document projection) {
            Iterable<Integer> positions = UniqueLookup.positions(getIndexes(), query);
            if (positions != null) {
                return matchDocuments(query, positions, orderBy, numberToSkip, numberToReturn, batchSize, projection);
            }
            return super.queryDocuments(query, orderBy, numberToSkip, numberToReturn, batchSize, projection);
        }
    }

    /** The planning rule shared by both backends' collections. */
    static final class UniqueLookup {
        private UniqueLookup() {
        }

        /**
         * The positions of the documents a filter can only match, looked up through a single-field
         * unique index the filter pins (equality or $in) next to other conditions; null when there is
         * no such index (the server plans the filter its usual way).
         */
        static <P> Iterable<P> positions(List<Index<P>> indexes, Document query) {
            if (query.keySet().size() <= 1) {
                return null;
            }
            for (Index<P> index : indexes) {
                List<IndexKey> keys = index.getKeys();
                if (!index.isUnique() || keys.size() != 1) {
                    continue;
                }
                String field = keys.get(0).getKey();
                Object value = query.get(field);
                if (isLookup(value)) {
                    return index.getPositions(new Document(field, value));
                }
            }
            return null;
        }

        /** A plain value (not an operator document, regex or null), or {$in: [plain values]}. */
        private static boolean isLookup(Object value) {
            if (value == null || value instanceof BsonRegularExpression || BsonRegularExpression.isRegularExpression(value)) {
                return false;
            }
            if (!(value instanceof Document)) {
                return !(value instanceof Collection);
            }
            Document operators = (Document) value;
            if (!operators.keySet().equals(Set.of("$in")) || !(operators.get("$in") instanceof Collection)) {
                return false;
            }
            for (Object item : (Collection<?>) operators.get("$in")) {
                if (item == null || item instanceof Document || item instanceof Collection || item instanceof BsonRegularExpression) {
                    return false;
                }
            }
            return true;
        }
    }
}
