package io.portcullis.common.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The machine's {@code pg_dump} of the database the service under test uses, as text: what an
 * attacker with a backup would read. A test that needs it fails when it cannot be had (no client
 * tools, a dump that fails): a check silently skipped would read as green.
 */
public final class PgDump {

    private PgDump() {
    }

    /** The whole database, data only. */
    public static String database() throws Exception {
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        Matcher m = Pattern.compile("^jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)").matcher(url);
        if (!m.find()) {
            throw new AssertionError("unexpected JDBC URL: " + url);
        }
        // as the owner of the tables, who may read every one of them
        java.util.Properties owner = DbLogins.owner();
        List<String> cmd = List.of(binary(), "--data-only", "--no-owner", "-h", m.group(1), "-p", m.group(2), "-U",
                owner.getProperty("user"), m.group(3));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (owner.getProperty("password") != null) {
            pb.environment().put("PGPASSWORD", owner.getProperty("password"));
        }
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pg_dump did not finish");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("pg_dump failed with exit code " + p.exitValue());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@code pg_dump} on the PATH, else the newest of Debian's {@code /usr/lib/postgresql/<version>/bin}. */
    static String binary() throws Exception {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "pg_dump");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (var versions = Files.list(debian)) {
                Optional<Path> found = versions.map(v -> v.resolve("bin/pg_dump")).filter(Files::isExecutable)
                        .max(java.util.Comparator.naturalOrder());
                if (found.isPresent()) {
                    return found.get().toString();
                }
            }
        }
        throw new AssertionError("pg_dump is needed for this test: install the PostgreSQL client tools");
    }
}
