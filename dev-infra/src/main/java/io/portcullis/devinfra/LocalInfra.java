package io.portcullis.devinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The command line that {@code deploy/local/run.sh} uses for its databases.
 *
 * <pre>
 * LocalInfra up     --dir .portcullis --databases portcullis_auth,portcullis_audit,... [--logins a,b]
 * LocalInfra down   --dir .portcullis
 * LocalInfra status --dir .portcullis
 * LocalInfra secrets --dir .portcullis          (bootstrap secrets, see {@link Bootstrap})
 * LocalInfra wait-ready --urls u1,u2 --timeout 180
 * </pre>
 *
 * {@code up} starts private PostgreSQL and Redis instances under {@code <dir>/pg} and
 * {@code <dir>/redis}, each with a random password kept in {@code <dir>/secrets} (0600), and
 * writes where they listen to {@code <dir>/infra.env}. A second {@code up} reuses the same ports,
 * passwords and data. {@code --logins} creates plain login roles that own nothing (for a service
 * that must not own its tables), each with a random password in {@code <dir>/secrets/pg-login-<name>}.
 * When {@code PORTCULLIS_PG_HOST} (with {@code PORTCULLIS_PG_PORT},
 * {@code PORTCULLIS_PG_USER}, {@code PORTCULLIS_PG_PASSWORD_FILE}) or {@code PORTCULLIS_REDIS_URL}
 * (with {@code PORTCULLIS_REDIS_PASSWORD_FILE}) is set, that server is used instead and never
 * stopped: the machine's own databases are touched only when asked.
 */
public final class LocalInfra {

    private LocalInfra() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            usage();
        }
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        Path dir = Path.of(opts.getOrDefault("--dir", ".portcullis")).toAbsolutePath().normalize();
        try {
            switch (args[0]) {
                case "up" -> up(dir, List.of(opts.getOrDefault("--databases", "").split(",")),
                        List.of(opts.getOrDefault("--logins", "").split(",")));
                case "down" -> down(dir);
                case "status" -> status(dir);
                case "secrets" -> Bootstrap.generate(dir);
                case "wait-ready" -> Bootstrap.waitReady(List.of(opts.getOrDefault("--urls", "").split(",")),
                        java.time.Duration.ofSeconds(Long.parseLong(opts.getOrDefault("--timeout", "180"))));
                default -> usage();
            }
        } catch (RuntimeException e) {
            System.err.println("dev-infra: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void usage() {
        System.err.println("usage: LocalInfra up|down|status|secrets --dir DIR [--databases a,b,c] [--logins a,b] | wait-ready --urls U1,U2");
        System.exit(2);
    }

    static void up(Path dir, List<String> databases, List<String> logins) {
        createDir(dir, "rwx--x--x");
        Path secrets = createDir(dir.resolve("secrets"), "rwx------");
        Properties state = load(dir);

        LocalPostgres pg;
        String pgHost = TestInfra.setting("PORTCULLIS_PG_HOST", null);
        if (pgHost != null) {
            String pwFile = TestInfra.setting("PORTCULLIS_PG_PASSWORD_FILE", null);
            pg = LocalPostgres.external(pgHost, Integer.parseInt(TestInfra.setting("PORTCULLIS_PG_PORT", "5432")),
                    TestInfra.setting("PORTCULLIS_PG_USER", "postgres"), pwFile == null ? null : read(Path.of(pwFile)));
            state.setProperty("pg.owned", "false");
            state.setProperty("pg.passwordFile", pwFile == null ? "" : pwFile);
        } else {
            int port = Integer.parseInt(state.getProperty("pg.port", Integer.toString(TestInfra.freePort())));
            Path pwFile = secrets.resolve("pg-password");
            pg = LocalPostgres.startPrivate(dir.resolve("pg"), port, secret(pwFile), false);
            state.setProperty("pg.owned", "true");
            state.setProperty("pg.passwordFile", pwFile.toString());
        }
        state.setProperty("pg.host", pg.host());
        state.setProperty("pg.port", Integer.toString(pg.port()));
        state.setProperty("pg.user", pg.user());
        pg.ensureDatabases(databases.stream().filter(d -> !d.isBlank()).toArray(String[]::new));
        for (String login : logins) {
            if (!login.isBlank()) {
                pg.ensureLogin(login, secret(secrets.resolve("pg-login-" + login)));
            }
        }

        String redisUrl = TestInfra.setting("PORTCULLIS_REDIS_URL", null);
        if (redisUrl != null) {
            state.setProperty("redis.owned", "false");
            state.setProperty("redis.url", redisUrl);
            state.setProperty("redis.passwordFile", TestInfra.setting("PORTCULLIS_REDIS_PASSWORD_FILE", ""));
        } else {
            int port = Integer.parseInt(state.getProperty("redis.port", Integer.toString(TestInfra.freePort())));
            Path pwFile = secrets.resolve("redis-password");
            LocalRedis redis = LocalRedis.startPrivate(dir.resolve("redis"), port, secret(pwFile), true);
            state.setProperty("redis.owned", "true");
            state.setProperty("redis.port", Integer.toString(port));
            state.setProperty("redis.url", redis.uri());
            state.setProperty("redis.passwordFile", pwFile.toString());
        }
        save(dir, state);
        writeEnv(dir, state);
        System.out.println("dev-infra: PostgreSQL on " + pg.host() + ":" + pg.port() + ", Redis on " + state.getProperty("redis.url"));
    }

    static void down(Path dir) {
        Properties state = load(dir);
        if ("true".equals(state.getProperty("redis.owned"))) {
            LocalRedis.stopPrivate(dir.resolve("redis"));
        }
        if ("true".equals(state.getProperty("pg.owned"))) {
            LocalPostgres.stopPrivate(dir.resolve("pg"));
        }
        System.out.println("dev-infra: private PostgreSQL and Redis stopped");
    }

    static void status(Path dir) {
        Properties state = load(dir);
        if (state.isEmpty()) {
            System.out.println("dev-infra: nothing started in " + dir);
            return;
        }
        String pgPw = state.getProperty("pg.passwordFile", "");
        boolean pgUp = LocalPostgres.answers(state.getProperty("pg.host"), Integer.parseInt(state.getProperty("pg.port")),
                state.getProperty("pg.user"), pgPw.isEmpty() ? null : read(Path.of(pgPw)));
        String redisPw = state.getProperty("redis.passwordFile", "");
        java.net.URI redis = java.net.URI.create(state.getProperty("redis.url"));
        boolean redisUp = LocalRedis.answers(redis.getHost(), redis.getPort(), redisPw.isEmpty() ? null : read(Path.of(redisPw)));
        System.out.printf("postgresql %s:%s %s%n", state.getProperty("pg.host"), state.getProperty("pg.port"), pgUp ? "up" : "down");
        System.out.printf("redis      %s %s%n", state.getProperty("redis.url"), redisUp ? "up" : "down");
    }

    private static void writeEnv(Path dir, Properties s) {
        String env = "PORTCULLIS_PG_HOST=" + s.getProperty("pg.host") + "\n"
                + "PORTCULLIS_PG_PORT=" + s.getProperty("pg.port") + "\n"
                + "PORTCULLIS_PG_USER=" + s.getProperty("pg.user") + "\n"
                + "PORTCULLIS_PG_PASSWORD_FILE=" + s.getProperty("pg.passwordFile") + "\n"
                + "PORTCULLIS_REDIS_URL=" + s.getProperty("redis.url") + "\n"
                + "PORTCULLIS_REDIS_PASSWORD_FILE=" + s.getProperty("redis.passwordFile") + "\n";
        writePrivate(dir.resolve("infra.env"), env);
    }

    /** The secret in {@code file}, generated (32 random bytes, url-safe) on first use. */
    private static String secret(Path file) {
        if (Files.exists(file)) {
            return read(file);
        }
        String value = randomSecret();
        writePrivate(file, value);
        return value;
    }

    /** 32 random bytes, url-safe base64 without padding (43 characters of {@code [A-Za-z0-9_-]}). */
    static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static void writePrivate(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Path createDir(Path dir, String perms) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static Properties load(Path dir) {
        Properties p = new Properties();
        Path file = dir.resolve("infra.properties");
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    private static void save(Path dir, Properties p) {
        StringBuilder sb = new StringBuilder("# written by dev-infra; where the private servers listen\n");
        p.stringPropertyNames().stream().sorted().forEach(k -> sb.append(k).append('=').append(p.getProperty(k)).append('\n'));
        writePrivate(dir.resolve("infra.properties"), sb.toString());
    }
}
