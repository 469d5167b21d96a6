package io.portcullis.auth.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.portcullis.auth.Accounts;
import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

/** Checks that need the database and Redis themselves. */
@QuarkusTest
class LegacyAndPlaintextTest {

    @Inject
    ReactiveRedisDataSource redis;

    static Connection db() throws Exception {
        var c = ConfigProvider.getConfig();
        Properties p = new Properties();
        p.setProperty("user", c.getValue("quarkus.datasource.username", String.class));
        c.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(v -> p.setProperty("password", v));
        return DriverManager.getConnection(c.getValue("quarkus.datasource.jdbc.url", String.class), p);
    }

    static String storedHash(String username) throws Exception {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("SELECT password_hash FROM app_user WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void anImportedSeedHashLogsInAndIsUpgradedToArgon2id() throws Exception {
        String username = Accounts.uniqueName("legacy");
        String password = "imported-" + UUID.randomUUID();
        String salt = HexFormat.of().formatHex(UUID.randomUUID().toString().replace("-", "").getBytes(StandardCharsets.US_ASCII))
                .substring(0, 64);
        byte[] dk = PasswordHasher.pbkdf2(password, salt.getBytes(StandardCharsets.UTF_8), 100_000, 32);
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("INSERT INTO app_user (id, username, groups, status, "
                + "password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, '{user}', 'active', ?, now(), now(), now())")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, username);
            ps.setString(3, "$seed-pbkdf2-sha256$i=100000$" + salt + "$" + HexFormat.of().formatHex(dk));
            ps.executeUpdate();
        }
        Accounts.login(username, password).then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> storedHash(username).startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
        Accounts.login(username, password).then().statusCode(200);
        Accounts.login(username, password + "x").then().statusCode(401);
    }

    @Test
    void noPlaintextPasswordInTheDatabaseRedisTheAuditTrailOrTheLogs() throws Exception {
        Accounts.Account a = Accounts.create();
        String marker = a.password();
        Accounts.login(a.username(), marker).then().statusCode(200);
        Accounts.login(a.username(), marker + "-wrong").then().statusCode(401);
        String next = Accounts.strongPassword();
        String jwt = Accounts.session(a)[1];
        Specs.as(jwt).body(Map.of("oldPassword", marker, "newPassword", next)).put("/auth/me/password").then().statusCode(204);
        AuditOutbox.await(AuditOutbox.typeAndDetail("config_change", "username", a.username()));

        // the database, dumped whole with the machine's pg_dump when it has one
        String dump = dump();
        if (dump != null) {
            assertTrue(dump.contains(a.username()), "the dump is real");
            assertFalse(dump.contains(marker) || dump.contains(next), "no plaintext password in the database");
        }
        try (Connection c = db(); var st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT string_agg(t::text, '|') FROM app_user t")) {
            rs.next();
            assertFalse(rs.getString(1).contains(marker) || rs.getString(1).contains(next));
        }
        // Redis: every value of every auth key
        List<String> keys = redis.key().keys("auth:*").await().atMost(Duration.ofSeconds(5));
        for (String key : keys) {
            String type = redis.key().type(key).await().atMost(Duration.ofSeconds(5)).name();
            String content = switch (type) {
                case "HASH" -> redis.hash(String.class).hgetall(key).await().atMost(Duration.ofSeconds(5)).toString();
                case "STRING" -> String.valueOf(redis.value(String.class).get(key).await().atMost(Duration.ofSeconds(5)));
                default -> "";
            };
            assertFalse(content.contains(marker) || content.contains(next), "no plaintext password in Redis key " + key);
        }
        // the audit trail
        String audit = AuditOutbox.events().toString();
        assertTrue(audit.contains(a.username()));
        assertFalse(audit.contains(marker) || audit.contains(next), "no plaintext password in audit events");
        // the logs of this test run
        Path log = Path.of("target/auth-test.log");
        Assumptions.assumeTrue(Files.exists(log));
        String logs = Files.readString(log);
        assertTrue(logs.contains("Installed features"), "the log file is real");
        assertFalse(logs.contains(marker) || logs.contains(next), "no plaintext password in the logs");
    }

    static String dump() throws Exception {
        var c = ConfigProvider.getConfig();
        Path pgDump = Path.of("/usr/bin/pg_dump");
        if (!Files.isExecutable(pgDump)) {
            return null;
        }
        URI uri = URI.create(c.getValue("quarkus.datasource.jdbc.url", String.class).substring("jdbc:".length()));
        ProcessBuilder pb = new ProcessBuilder(pgDump.toString(), "-h", uri.getHost(), "-p", Integer.toString(uri.getPort()),
                "-U", c.getValue("quarkus.datasource.username", String.class), "--data-only", uri.getPath().substring(1));
        c.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(pw -> pb.environment().put("PGPASSWORD", pw));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null; // version mismatch with a private server, say: the SQL check below still runs
        }
        return out.toString(StandardCharsets.UTF_8);
    }

}
