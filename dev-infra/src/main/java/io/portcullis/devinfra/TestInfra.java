package io.portcullis.devinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Dev Services without containers, for tests: the PostgreSQL and Redis that answer at the configured
 * addresses (default 127.0.0.1:5432 as {@code postgres}, and 127.0.0.1:6379), else private
 * throwaway instances on free ports that live as long as this JVM needs them.
 *
 * <p>Addresses come from {@code PORTCULLIS_TEST_PG_HOST}, {@code _PG_PORT}, {@code _PG_USER},
 * {@code _PG_PASSWORD}, {@code PORTCULLIS_TEST_REDIS_HOST}, {@code _REDIS_PORT} and
 * {@code _REDIS_PASSWORD} (env vars or system properties).
 */
public final class TestInfra {

    private static LocalPostgres postgres;
    private static LocalRedis redis;
    private static Path privateRoot;
    private static int users;

    private TestInfra() {
    }

    /** Config for a Quarkus service whose database is {@code database}; starts what is missing. */
    public static synchronized Map<String, String> acquire(String database) {
        return acquire(database, null);
    }

    /**
     * The same, for a service that runs as a login of its own that owns nothing ({@code runtimeLogin},
     * created here with a fresh password, or null for none): Flyway migrates as the server's user,
     * which owns the tables, and the service works as {@code runtimeLogin}.
     */
    public static synchronized Map<String, String> acquire(String database, String runtimeLogin) {
        if (users++ == 0) {
            postgres = postgres();
            redis = redis();
            if (postgres.owned() || redis.owned()) {
                Runtime.getRuntime().addShutdownHook(new Thread(TestInfra::stopAll, "dev-infra-stop"));
            }
        }
        // like a fresh container: every test run starts from an empty database
        postgres.recreateDatabase(database);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.username", postgres.user());
        if (postgres.password() != null) {
            config.put("quarkus.datasource.password", postgres.password());
        }
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
        config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(database));
        if (runtimeLogin != null) {
            String password = LocalInfra.randomSecret();
            postgres.ensureLogin(runtimeLogin, password);
            config.put("quarkus.flyway.username", postgres.user());
            // Quarkus gives Flyway its own login only with both set; a server that trusts local logins ignores it
            config.put("quarkus.flyway.password", postgres.password() != null ? postgres.password() : "unused-under-trust-authentication");
            config.put("quarkus.datasource.username", runtimeLogin);
            config.put("quarkus.datasource.password", password);
        }
        config.put("quarkus.redis.hosts", redis.uri());
        if (redis.password() != null) {
            config.put("quarkus.redis.password", redis.password());
        }
        return config;
    }

    public static synchronized void release() {
        if (--users > 0) {
            return;
        }
        stopAll();
    }

    private static synchronized void stopAll() {
        try {
            if (redis != null) {
                redis.stop();
            }
            if (postgres != null) {
                postgres.stop();
            }
        } finally {
            redis = null;
            postgres = null;
            deletePrivateRoot();
        }
    }

    /** A port that was free a moment ago (for servers that cannot report the port they bound). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LocalPostgres postgres() {
        String host = setting("PORTCULLIS_TEST_PG_HOST", "127.0.0.1");
        int port = Integer.parseInt(setting("PORTCULLIS_TEST_PG_PORT", "5432"));
        String user = setting("PORTCULLIS_TEST_PG_USER", "postgres");
        String password = setting("PORTCULLIS_TEST_PG_PASSWORD", null);
        if (LocalPostgres.answers(host, port, user, password)) {
            return LocalPostgres.external(host, port, user, password);
        }
        System.err.printf("[dev-infra] no PostgreSQL answers at %s:%d; starting a private one%n", host, port);
        return LocalPostgres.startPrivate(privateRoot().resolve("pg"), freePort(), null, true);
    }

    private static LocalRedis redis() {
        String host = setting("PORTCULLIS_TEST_REDIS_HOST", "127.0.0.1");
        int port = Integer.parseInt(setting("PORTCULLIS_TEST_REDIS_PORT", "6379"));
        String password = setting("PORTCULLIS_TEST_REDIS_PASSWORD", null);
        if (LocalRedis.answers(host, port, password)) {
            return LocalRedis.external(host, port, password);
        }
        System.err.printf("[dev-infra] no Redis answers at %s:%d; starting a private one%n", host, port);
        return LocalRedis.startPrivate(privateRoot().resolve("redis"), freePort(), null, false);
    }

    private static Path privateRoot() {
        if (privateRoot == null) {
            try {
                privateRoot = Files.createTempDirectory("portcullis-infra-");
                // servers run as an unprivileged account when this JVM is root: it must reach inside
                Files.setPosixFilePermissions(privateRoot, PosixFilePermissions.fromString("rwx--x--x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return privateRoot;
    }

    private static void deletePrivateRoot() {
        if (privateRoot == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(privateRoot)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("[dev-infra] could not remove " + privateRoot + ": " + e.getMessage());
        }
        privateRoot = null;
    }

    /**
     * {@code PORTCULLIS_DEVINFRA_BINARIES=bundled} ignores the machine's binaries and uses the ones
     * from Maven Central, as on a machine with only a JDK (how that case is tested here).
     */
    static boolean bundledBinariesOnly() {
        return "bundled".equals(setting("PORTCULLIS_DEVINFRA_BINARIES", "auto"));
    }

    static String setting(String name, String fallback) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
