package io.portcullis.devinfra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private servers from the binaries on Maven Central, as on a machine with only a JDK: started as
 * an unprivileged account when run as root, password-protected, stopped without a trace.
 */
class PrivateServersTest {

    @TempDir
    Path tmp;

    @org.junit.jupiter.api.BeforeEach
    void openTempDir() throws Exception {
        // the servers run as an unprivileged account when the build runs as root
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    }

    @AfterEach
    void clearOverride() {
        System.clearProperty("PORTCULLIS_DEVINFRA_BINARIES");
    }

    @Test
    void startsPostgresFromBundledBinariesWithPasswordAndStopsIt() throws Exception {
        System.setProperty("PORTCULLIS_DEVINFRA_BINARIES", "bundled");
        int port = TestInfra.freePort();
        LocalPostgres pg = LocalPostgres.startPrivate(tmp.resolve("pg"), port, "s3cret-for-test", true);
        try {
            assertTrue(Files.isExecutable(tmp.resolve("pg/pg-dist/bin/postgres")), "bundled binaries were used");
            assertTrue(LocalPostgres.answers("127.0.0.1", port, "postgres", "s3cret-for-test"));
            assertFalse(LocalPostgres.answers("127.0.0.1", port, "postgres", "wrong-password"), "password is enforced");
            pg.ensureDatabases("portcullis_probe");
            pg.ensureDatabases("portcullis_probe"); // idempotent
            try (Connection c = LocalPostgres.connect("127.0.0.1", port, "portcullis_probe", "postgres", "s3cret-for-test", 5);
                    ResultSet rs = c.createStatement().executeQuery("SELECT current_user, current_database()")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(2).equals("portcullis_probe"));
            }
        } finally {
            pg.stop();
        }
        assertFalse(LocalPostgres.answers("127.0.0.1", port, "postgres", "s3cret-for-test"), "stopped");
        assertFalse(Files.exists(tmp.resolve("pg/data/postmaster.pid")));
    }

    @Test
    void startsRedisFromBundledBinaryWithPasswordAndStopsIt() {
        System.setProperty("PORTCULLIS_DEVINFRA_BINARIES", "bundled");
        int port = TestInfra.freePort();
        LocalRedis redis = LocalRedis.startPrivate(tmp.resolve("redis"), port, "redis-test-pw", false);
        try {
            assertTrue(Files.isExecutable(tmp.resolve("redis-dist/redis-server")), "bundled binary was used");
            assertTrue(LocalRedis.answers("127.0.0.1", port, "redis-test-pw"));
            assertFalse(LocalRedis.answers("127.0.0.1", port, null), "password is enforced");
        } finally {
            redis.stop();
        }
        assertFalse(LocalRedis.answers("127.0.0.1", port, "redis-test-pw"), "stopped");
    }

    @Test
    void startsPostgresFromMachineBinariesWhenInstalled() {
        org.junit.jupiter.api.Assumptions.assumeTrue(LocalPostgres.findMachineBinaries().isPresent(), "no PostgreSQL installed");
        int port = TestInfra.freePort();
        LocalPostgres pg = LocalPostgres.startPrivate(tmp.resolve("pg"), port, null, true);
        try {
            assertTrue(LocalPostgres.answers("127.0.0.1", port, "postgres", null));
            assertFalse(Files.exists(tmp.resolve("pg/pg-dist")), "machine binaries were used");
        } finally {
            pg.stop();
        }
        assertFalse(LocalPostgres.answers("127.0.0.1", port, "postgres", null));
    }
}
