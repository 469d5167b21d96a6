package io.portcullis.auth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

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

import io.portcullis.auth.domain.PasswordHash;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
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

    /** An active user with groups {user} and this stored hash, written straight to the table. */
    static void insertUser(UUID id, String username, String hash) throws Exception {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("INSERT INTO app_user (id, username, groups, status, "
                + "password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, '{user}', 'active', ?, now(), now(), now())")) {
            ps.setObject(1, id);
            ps.setString(2, username);
            ps.setString(3, hash);
            ps.executeUpdate();
        }
    }

    /** A PBKDF2 hash at the most iterations accepted (2,000,000): a verification that lasts about a second. */
    static String slowHash(String password) {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        return "$pbkdf2-sha256$i=2000000,l=32$" + PasswordHash.b64(salt) + "$"
                + PasswordHash.b64(PasswordHasher.pbkdf2(password, salt, 2_000_000, 32));
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

    /** A user as the seed's import leaves it: PBKDF2-SHA256, 100,000 iterations, a hex salt. */
    static void insertSeedUser(String username, String password) throws Exception {
        String salt = HexFormat.of().formatHex(UUID.randomUUID().toString().replace("-", "").getBytes(StandardCharsets.US_ASCII))
                .substring(0, 64);
        byte[] dk = PasswordHasher.pbkdf2(password, salt.getBytes(StandardCharsets.UTF_8), 100_000, 32);
        insertUser(UUID.randomUUID(), username, "$seed-pbkdf2-sha256$i=100000$" + salt + "$" + HexFormat.of().formatHex(dk));
    }

    @Test
    void anImportedSeedHashLogsInAndIsUpgradedToArgon2id() throws Exception {
        String username = Accounts.uniqueName("legacy");
        String password = "imported-" + UUID.randomUUID();
        insertSeedUser(username, password);
        Accounts.login(username, password).then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> storedHash(username).startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
        Accounts.login(username, password).then().statusCode(200);
        Accounts.login(username, password + "x").then().statusCode(401);
    }

    /**
     * A wrong password against an imported seed hash (PBKDF2, 100,000 iterations: a fraction of an
     * Argon2id hash) also pays for one Argon2id hash, as an unknown user's login does: otherwise the
     * quick 401 would point at the dormant imported accounts.
     */
    @Test
    void aWrongPasswordAgainstASeedHashCostsTodaysHashLikeAnUnknownUser() throws Exception {
        String username = Accounts.uniqueName("legacy");
        String password = "imported-" + UUID.randomUUID();
        insertSeedUser(username, password);
        double before = argon2Hashes();
        Accounts.login(username, password + "-wrong").then().spec(io.portcullis.common.testing.Specs.problem(401));
        assertEquals(before + 1, argon2Hashes(), "one Argon2id hash besides the legacy check");
        Accounts.login(Accounts.uniqueName("nobody"), password).then().spec(io.portcullis.common.testing.Specs.problem(401));
        assertEquals(before + 2, argon2Hashes(), "and an unknown user costs the same one");
    }

    private static double argon2Hashes() {
        return io.portcullis.common.testing.Management.metric("portcullis_auth_hash_seconds_count", "algorithm", "argon2id");
    }

    @Inject
    UserService users;

    @Inject
    io.vertx.core.Vertx vertx;

    /** Runs a Hibernate Reactive call as a request would: on a safe duplicated Vert.x context. */
    <T> T onVertx(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) throws Exception {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        io.vertx.core.Context ctx = io.smallrye.common.vertx.VertxContext.getOrCreateDuplicatedContext(vertx);
        io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle.setContextSafe(ctx, true);
        ctx.runOnContext(v -> work.get().subscribe().with(f::complete, f::completeExceptionally));
        return f.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    static String argon2Phc(String password) {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        return "$argon2id$v=19$m=19456,t=2,p=1$" + PasswordHash.b64(salt) + "$"
                + PasswordHash.b64(PasswordHasher.argon2(password, salt, 19456, 2, 1));
    }

    /**
     * A login with the old password that upgrades a weak hash while the user changes the password:
     * the upgrade is stored only over the hash it verified, so the change stands and the old password
     * stays dead.
     */
    @Test
    void anUpgradeWithTheOldPasswordNeverUndoesAPasswordChange() throws Exception {
        String username = Accounts.uniqueName("race");
        String oldPassword = "old-" + UUID.randomUUID();
        String newPassword = "new-" + UUID.randomUUID();
        String salt = HexFormat.of().formatHex(UUID.randomUUID().toString().replace("-", "").getBytes(StandardCharsets.US_ASCII))
                .substring(0, 64);
        String weak = "$seed-pbkdf2-sha256$i=100000$" + salt + "$"
                + HexFormat.of().formatHex(PasswordHasher.pbkdf2(oldPassword, salt.getBytes(StandardCharsets.UTF_8), 100_000, 32));
        UUID id = UUID.randomUUID();
        insertUser(id, username, weak);
        // the change lands while the login (which verified oldPassword against the weak hash) still hashes
        String changed = argon2Phc(newPassword);
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("UPDATE app_user SET password_hash = ? WHERE id = ?")) {
            ps.setString(1, changed);
            ps.setObject(2, id);
            ps.executeUpdate();
        }
        assertFalse(onVertx(() -> users.storeHash(id, weak, argon2Phc(oldPassword), false)), "the upgrade must not land");
        assertEquals(changed, storedHash(username));
        Accounts.login(username, oldPassword).then().statusCode(401);
        Accounts.login(username, newPassword).then().statusCode(200);
        assertTrue(onVertx(() -> users.storeHash(id, changed, argon2Phc(newPassword), false)), "over the hash it verified, it does");
    }

    /**
     * Nobody removes the last active admin, by demotion or by disabling: the suite could then be
     * administered only by editing its database. The other admins are set aside for the test.
     */
    @Test
    void theLastActiveAdminCannotBeDemotedOrDisabled() throws Exception {
        Accounts.Account x = Accounts.create("admin");
        List<String> others = new java.util.ArrayList<>();
        try (Connection c = db(); var st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT CAST(id AS text) FROM app_user WHERE status = 'active' AND 'admin' = ANY(groups)")) {
            while (rs.next()) {
                if (!rs.getString(1).equals(x.id())) {
                    others.add(rs.getString(1));
                }
            }
        }
        String admin = io.portcullis.common.testing.TestTokens.admin().sign();
        try {
            setStatus(others, "disabled");
            Specs.as(admin).body(Map.of("groups", List.of("user"))).put("/auth/users/" + x.id() + "/groups")
                    .then().spec(Specs.problem(409));
            Specs.as(admin).post("/auth/users/" + x.id() + "/disable").then().spec(Specs.problem(409));
            Accounts.login(x.username(), x.password()).then().statusCode(200); // still an active admin
            Accounts.Account y = Accounts.create("admin");
            Specs.as(admin).body(Map.of("groups", List.of("user"))).put("/auth/users/" + x.id() + "/groups")
                    .then().statusCode(200); // y is admin now: x may go
            Specs.as(admin).post("/auth/users/" + y.id() + "/disable").then().spec(Specs.problem(409));
        } finally {
            setStatus(others, "active");
        }
    }

    /**
     * A logout whose revocation cannot be written fails without ending the session, so that logging
     * out again finishes the job (ending the session first would leave its tokens valid and nothing
     * left to retry). The revocation list is made unwritable for a moment, then put back.
     */
    @Test
    void aLogoutThatCannotRevokeKeepsTheSessionForARetry() {
        Accounts.Account a = Accounts.create();
        String[] s = Accounts.session(a);
        String key = io.portcullis.common.testing.Revocations.key(); // this run's own list, never a running suite's
        redis.key().del(key).await().atMost(Duration.ofSeconds(5));
        try {
            redis.value(String.class).set(key, "not-a-sorted-set").await().atMost(Duration.ofSeconds(5));
            Specs.json().header("X-Session-Token", s[0]).post("/auth/logout").then().spec(Specs.problem(500))
                    .body(not(containsString("WRONGTYPE")), not(containsString("redis")));
        } finally {
            redis.key().del(key).await().atMost(Duration.ofSeconds(5));
        }
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().statusCode(200); // still there
        Specs.json().header("X-Session-Token", s[0]).post("/auth/logout").then().statusCode(204);
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().spec(Specs.problem(401));
    }

    /**
     * An admin's disable that meets a password write in flight on the same user (here a transaction
     * holding the row and bumping its version, as a password change or hash upgrade does) waits for it
     * and then disables the user; it does not fail at commit on the row's version with a 500.
     */
    @Test
    void aDisableThatMeetsAPasswordWriteInFlightWaitsForItInsteadOfFailing() throws Exception {
        Accounts.Account a = Accounts.create();
        UUID id = UUID.fromString(a.id());
        try (Connection c = db()) {
            c.setAutoCommit(false);
            try (var st = c.prepareStatement("SELECT version FROM app_user WHERE id = ? FOR UPDATE")) {
                st.setObject(1, id);
                st.executeQuery().close();
            }
            var disable = java.util.concurrent.CompletableFuture.supplyAsync(() -> io.portcullis.common.testing.Specs
                    .as(io.portcullis.common.testing.TestTokens.admin().sign()).post("/auth/users/" + id + "/disable"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(LegacyAndPlaintextTest::waitingOnALock);
            try (var st = c.prepareStatement("UPDATE app_user SET version = version + 1, updated_at = now() WHERE id = ?")) {
                st.setObject(1, id);
                st.executeUpdate();
            }
            c.commit();
            disable.get(30, TimeUnit.SECONDS).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("disabled"));
        }
        Accounts.login(a.username(), a.password()).then().statusCode(401);
    }

    /** Whether another session of this database waits on a lock (the admin's request behind our row lock). */
    private static boolean waitingOnALock() throws Exception {
        try (Connection c = db(); var st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    /**
     * A login still hashing when the user is disabled opens no session: its user row was read while
     * active, but the session epoch moved before its session was checked. The stored hash is a slow
     * PBKDF2 (2,000,000 iterations, the most accepted) so that the disable lands while it hashes.
     */
    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void aLoginInFlightWhenTheUserIsDisabledOpensNoSession() throws Exception {
        String username = Accounts.uniqueName("inflight");
        String password = "slow-" + UUID.randomUUID();
        String slow = slowHash(password);
        UUID id = UUID.randomUUID();
        insertUser(id, username, slow);
        var login = java.util.concurrent.CompletableFuture.supplyAsync(() -> Accounts.login(username, password));
        // the hash runs, so the user row has been read (while the user was still active)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> meters.get("portcullis.auth.hashing.active").gauge().value() > 0);
        Specs.as(io.portcullis.common.testing.TestTokens.admin().sign()).post("/auth/users/" + id + "/disable")
                .then().statusCode(200);
        io.restassured.response.Response r = login.get(60, TimeUnit.SECONDS);
        r.then().spec(Specs.problem(409));
        assertFalse(r.asString().contains("sessionToken"));
        AuditOutbox.await(AuditOutbox.typeAndDetail("auth_attempt", "username", username)
                .and(e -> "account_changed_during_login".equals(e.getJsonObject("details").getString("reason"))));
        java.util.Map<String, String> index = redis.hash(String.class).hgetall("auth:user-sessions:" + id)
                .await().atMost(Duration.ofSeconds(5));
        assertTrue(index.isEmpty(), "no session left: " + index);
    }

    /**
     * Clients that send a login and hang up before the answer: their admissions are given back, so ten
     * abandoned logins do not leave the account refusing everyone as "too many at once".
     */
    @Test
    void abandonedLoginsGiveTheirPlacesBack() throws Exception {
        String username = Accounts.uniqueName("gone");
        String password = "slow-" + UUID.randomUUID();
        String slow = slowHash(password);
        insertUser(UUID.randomUUID(), username, slow);
        String body = "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}";
        for (int i = 0; i < 10; i++) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
                socket.getOutputStream().write(("POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                Thread.sleep(100); // admitted and hashing
            }
        }
        // well within the 60 s an admission never given back would hold its place
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> Accounts.login(username, password).statusCode() == 200);
        assertFalse(redis.key().exists(io.portcullis.auth.repository.LoginThrottle.inFlightKey(username))
                .await().atMost(Duration.ofSeconds(5)), "every place given back");
    }

    static void setStatus(List<String> ids, String status) throws Exception {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("UPDATE app_user SET status = ? WHERE id = CAST(? AS uuid)")) {
            for (String id : ids) {
                ps.setString(1, status);
                ps.setString(2, id);
                ps.executeUpdate();
            }
        }
    }

    @Inject
    Bootstrap bootstrap;

    /** Users exist: a later start leaves them alone, whatever its bootstrap settings say. */
    @Test
    void aSecondStartIgnoresTheBootstrapAdmin() throws Throwable {
        String before = adminRows();
        io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> bootstrap.admin());
        assertEquals(before, adminRows(), "the first admin is neither created again nor given a new password");
        org.junit.jupiter.api.Assertions.assertNotNull(before, "the bootstrap admin exists");
    }

    /**
     * Rotating a service client's secret: change its file, start again. The new secret works, the old
     * one is refused from then on, the rotation is audited, and a start with the same file changes nothing.
     */
    @Test
    void aChangedClientSecretFileRotatesTheSecretAtTheNextStart() throws Throwable {
        Path dir = Path.of(ConfigProvider.getConfig().getValue("portcullis.bootstrap.clients-dir", String.class));
        String clientId = "rotating-" + UUID.randomUUID().toString().substring(0, 8);
        Path file = dir.resolve(clientId);
        String first = UUID.randomUUID() + "-" + UUID.randomUUID();
        String second = UUID.randomUUID() + "-" + UUID.randomUUID();
        try {
            Files.writeString(Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))), first);
            io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> bootstrap.serviceClients());
            token(clientId, first).then().statusCode(200);

            Files.writeString(file, second);
            io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> bootstrap.serviceClients());
            token(clientId, first).then().spec(io.portcullis.common.testing.Specs.problem(401));
            token(clientId, second).then().statusCode(200);
            AuditOutbox.await(AuditOutbox.typeAndDetail("config_change", "clientId", clientId)
                    .and(e -> "client_secret_rotated".equals(e.getJsonObject("details").getString("action"))));

            io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> bootstrap.serviceClients());
            assertEquals(1, AuditOutbox.events().stream().filter(e -> clientId.equals(e.getJsonObject("details")
                    .getString("clientId")) && "client_secret_rotated".equals(e.getJsonObject("details").getString("action")))
                    .count(), "the same file again is no rotation");
            token(clientId, second).then().statusCode(200);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static io.restassured.response.Response token(String clientId, String secret) {
        return io.restassured.RestAssured.given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials").formParam("client_id", clientId)
                .formParam("client_secret", secret).post("/auth/token");
    }

    private static String adminRows() throws Exception {
        try (Connection c = db(); var st = c.prepareStatement(
                "SELECT string_agg(id::text || ' ' || password_hash || ' ' || updated_at::text, '|') FROM app_user WHERE username = ?")) {
            st.setString(1, io.portcullis.auth.AuthTestResource.ADMIN);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void noPlaintextPasswordInTheDatabaseRedisTheAuditTrailOrTheLogs() throws Exception {
        Accounts.Account a = Accounts.create();
        String marker = a.password();
        Accounts.login(a.username(), marker).then().statusCode(200);
        Accounts.login(a.username(), marker + "-wrong").then().statusCode(401);
        String next = Accounts.strongPassword();
        String[] session = Accounts.session(a);
        String jwt = session[1];
        String refreshed = Specs.json().header("X-Session-Token", session[0]).post("/auth/session/refresh").then().statusCode(200)
                .extract().jsonPath().getString("accessToken");
        Specs.as(jwt).body(Map.of("oldPassword", marker, "newPassword", next)).put("/auth/me/password").then().statusCode(204);
        AuditOutbox.await(AuditOutbox.typeAndDetail("config_change", "username", a.username()));

        // the database, dumped whole with the machine's pg_dump
        String dump = io.portcullis.common.testing.PgDump.database();
        assertTrue(dump.contains(a.username()), "the dump is real");
        assertFalse(dump.contains(marker) || dump.contains(next), "no plaintext password in the database");
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
            assertFalse(content.contains(session[0]), "the session token is kept only as its SHA-256, not in " + key);
        }
        // the audit trail
        String audit = AuditOutbox.events().toString();
        assertTrue(audit.contains(a.username()));
        assertFalse(audit.contains(marker) || audit.contains(next), "no plaintext password in audit events");
        // the logs of this test run
        Path log = Path.of("target/auth-test.log");
        assertTrue(Files.exists(log), "the test run logs to " + log);
        String logs = Files.readString(log);
        assertTrue(logs.contains("Installed features"), "the log file is real");
        assertFalse(logs.contains(marker) || logs.contains(next), "no plaintext password in the logs");
        // nor any credential a client holds: the session token, the access tokens (whole or their signature)
        for (String credential : List.of(session[0], jwt, refreshed, jwt.substring(jwt.lastIndexOf('.') + 1))) {
            assertFalse(logs.contains(credential), "no session or access token in the logs");
            assertFalse(audit.contains(credential), "no session or access token in audit events");
        }
        // the session token is stored only as its SHA-256
        for (String key : keys) {
            assertFalse(key.contains(session[0]), "no session token in a Redis key name");
        }
    }


}
