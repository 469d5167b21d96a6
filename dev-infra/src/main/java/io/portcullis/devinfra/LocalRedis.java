package io.portcullis.devinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Redis server to talk to: one that already answers, or a private instance started from the
 * machine's {@code redis-server} or, when none is installed, from the binary that
 * {@code com.github.codemonstur:embedded-redis} delivers from Maven Central. The password, when
 * there is one, travels in a 0600 config file, never on a command line.
 */
public final class LocalRedis {

    private static final String EMBEDDED_BINARY = "redis-server-6.2.6-v5-linux-amd64";

    private final String host;
    private final int port;
    private final String password;
    private final Path dir;

    private LocalRedis(String host, int port, String password, Path dir) {
        this.host = host;
        this.port = port;
        this.password = password;
        this.dir = dir;
    }

    public static LocalRedis external(String host, int port, String password) {
        return new LocalRedis(host, port, password, null);
    }

    /** Whether a Redis server answers PING at that address with these credentials. */
    public static boolean answers(String host, int port, String password) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (password != null) {
                out.write(command("AUTH", password));
                if (!readLine(in).startsWith("+OK")) {
                    return false;
                }
            }
            out.write(command("PING"));
            return readLine(in).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts a private instance with its files in {@code dir}.
     *
     * @param password required by clients when not null
     * @param persistent append-only file on (run.sh) or nothing on disk (tests)
     */
    public static LocalRedis startPrivate(Path dir, int port, String password, boolean persistent) {
        Optional<Processes.Account> account = Processes.unprivilegedAccount();
        Processes.reachableDir(account, dir.getParent());
        Processes.privateDir(account, dir);
        if (answers("127.0.0.1", port, password)) {
            return new LocalRedis("127.0.0.1", port, password, dir);
        }
        Path binary = Processes.onPath("redis-server").filter(b -> !TestInfra.bundledBinariesOnly()).orElseGet(() -> extractEmbedded(dir.getParent().resolve("redis-dist")));
        StringBuilder conf = new StringBuilder()
                .append("port ").append(port).append('\n')
                .append("bind 127.0.0.1\n")
                .append("protected-mode yes\n")
                .append("daemonize yes\n")
                .append("dir ").append(dir).append('\n')
                .append("pidfile ").append(dir.resolve("redis.pid")).append('\n')
                .append("logfile ").append(dir.resolve("redis.log")).append('\n')
                .append("save \"\"\n")
                .append("appendonly ").append(persistent ? "yes" : "no").append('\n');
        if (password != null) {
            conf.append("requirepass ").append(password).append('\n');
        }
        Path confFile = dir.resolve("redis.conf");
        try {
            Files.deleteIfExists(confFile);
            Files.createFile(confFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(confFile, conf.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Processes.chown(account, dir);
        Processes.run(Processes.as(account, List.of(binary.toString(), confFile.toString())), dir, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!answers("127.0.0.1", port, password)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not answer on port " + port + "; see " + dir.resolve("redis.log"));
            }
            sleep(50);
        }
        return new LocalRedis("127.0.0.1", port, password, dir);
    }

    /** Stops a private instance (SIGTERM to the pid in its pid file); an external server is left alone. */
    public void stop() {
        if (dir != null) {
            stopPrivate(dir);
        }
    }

    public static void stopPrivate(Path dir) {
        Path pidFile = dir.resolve("redis.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot stop redis in " + dir + ": " + e.getMessage(), e);
        }
    }

    static Path extractEmbedded(Path target) {
        Path binary = target.resolve("redis-server");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        try (InputStream in = LocalRedis.class.getClassLoader().getResourceAsStream(EMBEDDED_BINARY)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server installed and " + EMBEDDED_BINARY
                        + " is not on the classpath (com.github.codemonstur:embedded-redis)");
            }
            Files.createDirectories(target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] command(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The password clients need, or null. */
    public String password() {
        return password;
    }

    public boolean owned() {
        return dir != null;
    }

    /** A Redis URI for Quarkus' {@code quarkus.redis.hosts} (the password goes in its own setting). */
    public String uri() {
        return "redis://" + host + ":" + port;
    }
}
