import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * Starts mongo-java-server with its H2 (MVStore) backend on a given host, port and file.
 * The stack script compiles it once into the cache folder and runs: java MongoLauncher HOST PORT FILE
 */
public class MongoLauncher {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: MongoLauncher HOST PORT DATA_FILE");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        H2Backend backend = new H2Backend(args[2]);
        MongoServer server = new MongoServer(backend);
        server.bind(host, port);
        System.out.println("mongo-java-server (H2 backend) listening on " + host + ":" + port + ", data in " + args[2]);

        // SIGTERM from `stack:down`: stop accepting, then flush and close the MVStore so no write is lost.
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
}
