package io.portcullis.devinfra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the database servers' own programs. PostgreSQL refuses to run as root, and build machines run
 * as root, so when this JVM is root every server program runs as an unprivileged account instead
 * (the {@code postgres} account when the package created it, else {@code nobody}) through
 * {@code setpriv}, with a clean environment. Commands are argument lists; no shell is involved.
 */
final class Processes {

    private Processes() {
    }

    /** The account server programs run as, or empty when this JVM is not root and runs them itself. */
    record Account(String name, int uid, int gid) {
    }

    static Optional<Account> unprivilegedAccount() {
        if (currentUid() != 0) {
            return Optional.empty();
        }
        List<String> passwd;
        try {
            passwd = Files.readAllLines(Path.of("/etc/passwd"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /etc/passwd to find an unprivileged account", e);
        }
        for (String wanted : List.of("postgres", "nobody")) {
            for (String line : passwd) {
                String[] f = line.split(":");
                if (f.length >= 4 && f[0].equals(wanted)) {
                    return Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3])));
                }
            }
        }
        throw new IllegalStateException("running as root and neither a 'postgres' nor a 'nobody' account exists");
    }

    static int currentUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return (Integer) uid;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Prefixes {@code command} so that it runs as {@code account}, when there is one. */
    static List<String> as(Optional<Account> account, List<String> command) {
        if (account.isEmpty()) {
            return command;
        }
        Account a = account.get();
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + a.uid(), "--regid=" + a.gid(),
                "--clear-groups", "--reset-env", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs a command to completion; a non-zero exit fails with the tail of its output. */
    static String run(List<String> command, Path workDir, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("LANG") && !k.equals("HOME"));
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command.get(0));
            }
            String text = new String(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("command failed (" + p.exitValue() + "): " + String.join(" ", command)
                        + "\n" + tail(text));
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    /** Gives {@code dir} and everything under it to {@code account}. */
    static void chown(Optional<Account> account, Path dir) {
        if (account.isEmpty()) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setAttribute(p, "unix:uid", account.get().uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", account.get().gid(), LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot hand " + dir + " to " + account.get().name(), e);
        }
    }

    /** Creates a private directory (0700), owned by {@code account} when there is one. */
    static Path privateDir(Optional<Account> account, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            chown(account, dir);
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
    }

    /**
     * Creates {@code dir} (searchable by others, 0711) and checks that {@code account} can reach it,
     * failing with a clear message when a parent folder (a home directory, say) is closed to it.
     */
    static Path reachableDir(Optional<Account> account, Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
        if (!reachable(account, dir)) {
            throw new IllegalStateException("the account '" + account.map(Account::name).orElse("?")
                    + "' that runs the database servers cannot reach " + dir
                    + " (a parent folder is closed to it); choose a folder under /tmp or /var/tmp");
        }
        return dir;
    }

    /** Whether {@code account} can reach {@code dir} (every parent must be searchable by it). */
    static boolean reachable(Optional<Account> account, Path dir) {
        if (account.isEmpty()) {
            return true;
        }
        try {
            Process p = new ProcessBuilder(as(account, List.of("test", "-x", dir.toString())))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
