import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Set;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;

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
            super(BsonStore.open(file));
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

        /**
         * H2Database's unique index on a map opened first with our key type: H2 hands the already open
         * map to the index (the map name as H2Database.mapNameForIndex makes it, checked against 1.47.0).
         */
        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            store.openMap(getFullCollectionNamespace(collectionName) + "._index_" + indexName, BsonStore.indexMap());
            return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
        }

        /** The same maps as H2Database.openOrCreateCollection (names checked against 1.47.0), in our collection class. */
        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String fullName = getFullCollectionNamespace(collectionName);
            return new UniqueLookupH2Collection(this, collectionName, options,
                store.openMap("databases." + fullName, BsonStore.documentMap()), store.openMap("meta." + fullName), cursorRegistry);
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

    /**
     * The H2 store, with documents kept as BSON. mongo-java-server's H2 backend stores each document
     * through H2's generic object type, i.e. Java serialization: profiled under the benchmark's inserts
     * (JFR), ObjectOutputStream took about 60 % of the server's CPU. Here a collection's documents are
     * written with the server's own BSON encoder (what the wire protocol uses, so every value a client
     * can store round-trips), the index and metadata maps stay as they were. Durability is H2's as
     * before: a clean stop closes the store (nothing lost); otherwise H2 commits at least every second,
     * so a SIGKILL loses at most the last second.
     *
     * <p>A store written by the earlier launcher (documents Java-serialized, no format entry) is
     * migrated once at start: copied map by map into a new file, which then takes the old one's name;
     * the old file is kept beside it with the suffix {@code .java-serialization.bak}.
     */
    static final class BsonStore {
        private static final String FORMAT_MAP = "launcher.format";
        private static final String FORMAT_KEY = "documents";
        /** bson-1: documents as BSON, unique-index keys in IndexKeyType's order. */
        private static final String FORMAT = "bson-1";
        private static final String DOCUMENT_MAPS = "databases.";
        /** MiB of decoded pages kept in memory (H2's default is 16); the JVM has -Xmx1g. */
        private static final int CACHE_MB = 256;

        static MVMap.Builder<Object, Document> documentMap() {
            return new MVMap.Builder<Object, Document>().valueType(BsonDocumentType.INSTANCE);
        }

        static MVMap.Builder<KeyValue, Object> indexMap() {
            return new MVMap.Builder<KeyValue, Object>().keyType(IndexKeyType.INSTANCE);
        }

        static MVStore open(String file) {
            MVStore store = builder(file).open();
            MVMap<String, String> format = store.openMap(FORMAT_MAP);
            if (FORMAT.equals(format.get(FORMAT_KEY))) return store;
            boolean legacy = store.getMapNames().stream().anyMatch(name -> name.startsWith(DOCUMENT_MAPS));
            if (!legacy) {
                format.put(FORMAT_KEY, FORMAT);
                store.commit();
                return store;
            }
            store.close();
            migrate(file);
            return builder(file).open();
        }

        private static MVStore.Builder builder(String file) {
            return new MVStore.Builder().fileName(file).cacheSize(CACHE_MB);
        }

        private static void migrate(String file) {
            Path source = Path.of(file);
            Path target = Path.of(file + ".migrating");
            long documents = 0;
            try {
                Files.deleteIfExists(target);
                MVStore from = MVStore.open(file);
                MVStore to = builder(target.toString()).open();
                for (String name : from.getMapNames()) {
                    if (name.equals(FORMAT_MAP)) continue;
                    MVMap<Object, Object> old = from.openMap(name);
                    if (name.startsWith(DOCUMENT_MAPS)) {
                        MVMap<Object, Document> copy = to.openMap(name, documentMap());
                        for (var entry : old.entrySet()) copy.put(entry.getKey(), (Document) entry.getValue());
                        documents += old.sizeAsLong();
                    } else if (name.contains("._index_")) {
                        // Re-inserted, so the B-tree is in IndexKeyType's order.
                        MVMap<KeyValue, Object> copy = to.openMap(name, indexMap());
                        for (var entry : old.entrySet()) copy.put((KeyValue) entry.getKey(), entry.getValue());
                    } else {
                        MVMap<Object, Object> copy = to.openMap(name);
                        copy.putAll(old);
                    }
                }
                to.<String, String>openMap(FORMAT_MAP).put(FORMAT_KEY, FORMAT);
                to.close();
                from.close();
                Files.move(source, Path.of(file + ".java-serialization.bak"), StandardCopyOption.REPLACE_EXISTING);
                Files.move(target, source);
            } catch (IOException e) {
                throw new IllegalStateException("could not migrate " + file + " to BSON documents", e);
            }
            System.out.println("migrated " + documents + " documents in " + file + " to BSON storage (the old file is "
                + file + ".java-serialization.bak)");
        }
    }

    /** A document as its BSON bytes (length-prefixed), encoded and decoded by mongo-java-server's own codec. */
    static final class BsonDocumentType extends BasicDataType<Document> {
        static final BsonDocumentType INSTANCE = new BsonDocumentType();

        /**
         * H2's background writer encodes a stored document while a request thread may be working on the
         * same instance (mongo-java-server hands stored documents to its query and update code). Java
         * serialization, which H2 used before, copied a map without noticing; the map iterator here throws
         * ConcurrentModificationException, and an exception in the writer closes the whole store. So an
         * encoding that meets a concurrent change is simply done again: the next attempt sees the
         * document as it is now, which is what a write at that moment stores anyway.
         */
        private static byte[] encode(Document document) {
            for (int attempt = 1; ; attempt++) {
                ByteBuf buffer = Unpooled.buffer(256);
                try {
                    BsonEncoder.encodeDocument(document, buffer);
                    byte[] bytes = new byte[buffer.readableBytes()];
                    buffer.readBytes(bytes);
                    return bytes;
                } catch (ConcurrentModificationException e) {
                    if (attempt >= 1_000) throw e;
                    Thread.onSpinWait();
                } finally {
                    buffer.release();
                }
            }
        }

        @Override
        public int getMemory(Document document) {
            // Only sampled (MVMap estimates page memory from a sample of entries); the decoded form is a few times the BSON.
            return 64 + 3 * encode(document).length;
        }

        @Override
        public void write(WriteBuffer buffer, Document document) {
            byte[] bytes = encode(document);
            buffer.putVarInt(bytes.length).put(bytes);
        }

        @Override
        public Document read(ByteBuffer buffer) {
            byte[] bytes = new byte[DataUtils.readVarInt(buffer)];
            buffer.get(bytes);
            ByteBuf wrapped = Unpooled.wrappedBuffer(bytes);
            try {
                return BsonDecoder.decodeBson(wrapped);
            } finally {
                wrapped.release();
            }
        }

        @Override
        public Document[] createStorage(int size) {
            return new Document[size];
        }
    }

    /**
     * A unique index's key (a KeyValue of normalized values). H2 stores and orders a type it does not
     * know (and KeyValue is not Comparable) through Java serialization: every step of every index
     * lookup serialized both keys (about a fifth of the server's CPU under inserts, profiled), and so
     * did every page write. Here keys are ordered in memory by mongo-java-server's own value order
     * (ties between keys that are not equal broken by the byte order H2 used, so 0 still means equal)
     * and written compactly: a tag per value for the types ids and unique fields have (string, number,
     * boolean, null, missing), Java serialization only for any other.
     */
    static final class IndexKeyType extends BasicDataType<KeyValue> {
        static final IndexKeyType INSTANCE = new IndexKeyType();
        private static final ValueComparator VALUES = ValueComparator.asc();
        private static final byte MISSING = 0, NULL = 1, STRING = 2, DOUBLE = 3, INT = 4, LONG = 5, TRUE = 6, FALSE = 7, OTHER = 8;
        private final ObjectDataType objects = new ObjectDataType();

        @Override
        public int compare(KeyValue a, KeyValue b) {
            int sizes = Integer.compare(a.size(), b.size());
            if (sizes != 0) return sizes;
            for (int i = 0; i < a.size(); i++) {
                int c = VALUES.compare(a.get(i), b.get(i));
                if (c != 0) return c;
            }
            return a.equals(b) ? 0 : objects.compare(a, b);
        }

        @Override
        public int getMemory(KeyValue key) {
            int bytes = 24;
            for (Object value : key) bytes += value instanceof String text ? 40 + 2 * text.length() : 24;
            return bytes;
        }

        @Override
        public void write(WriteBuffer buffer, KeyValue key) {
            buffer.putVarInt(key.size());
            for (Object value : key) {
                if (value instanceof Missing) {
                    buffer.put(MISSING);
                } else if (value == null) {
                    buffer.put(NULL);
                } else if (value instanceof String text) {
                    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                    buffer.put(STRING).putVarInt(utf8.length).put(utf8);
                } else if (value instanceof Double number) {
                    buffer.put(DOUBLE).putDouble(number);
                } else if (value instanceof Integer number) {
                    buffer.put(INT).putInt(number);
                } else if (value instanceof Long number) {
                    buffer.put(LONG).putLong(number);
                } else if (value instanceof Boolean flag) {
                    buffer.put(flag ? TRUE : FALSE);
                } else {
                    buffer.put(OTHER);
                    objects.write(buffer, value);
                }
            }
        }

        @Override
        public KeyValue read(ByteBuffer buffer) {
            int size = DataUtils.readVarInt(buffer);
            List<Object> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                byte tag = buffer.get();
                switch (tag) {
                    case MISSING -> values.add(Missing.getInstance());
                    case NULL -> values.add(null);
                    case STRING -> {
                        byte[] utf8 = new byte[DataUtils.readVarInt(buffer)];
                        buffer.get(utf8);
                        values.add(new String(utf8, StandardCharsets.UTF_8));
                    }
                    case DOUBLE -> values.add(buffer.getDouble());
                    case INT -> values.add(buffer.getInt());
                    case LONG -> values.add(buffer.getLong());
                    case TRUE -> values.add(Boolean.TRUE);
                    case FALSE -> values.add(Boolean.FALSE);
                    case OTHER -> values.add(objects.read(buffer));
                    default -> throw new IllegalStateException("unknown index key tag " + tag);
                }
            }
            return new KeyValue(values);
        }

        @Override
        public KeyValue[] createStorage(int size) {
            return new KeyValue[size];
        }
    }
}
