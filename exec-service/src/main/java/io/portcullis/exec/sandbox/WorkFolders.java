package io.portcullis.exec.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jboss.logging.Logger;

/**
 * One fresh, empty work folder per job under a root that only the service owns: the root is
 * {@code rwx--x--x} (the sandbox user can reach its own folder but not list the others), each job
 * folder {@code rwx------} and owned by the sandbox user. Folders are removed after the job without
 * following any link the job made.
 */
public final class WorkFolders {

    private static final Logger LOG = Logger.getLogger(WorkFolders.class);
    private static final Set<PosixFilePermission> ROOT_MODE = PosixFilePermissions.fromString("rwx--x--x");
    private static final Set<PosixFilePermission> JOB_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path root;
    private final boolean ownRoot;

    private WorkFolders(Path root, boolean ownRoot) {
        this.root = root;
        this.ownRoot = ownRoot;
    }

    /**
     * Opens the configured root (checked: a real directory, not a link, owned by this process, not
     * writable by group or others) or makes a fresh private one under {@code java.io.tmpdir}. An
     * empty root that group or others may write (a Kubernetes {@code emptyDir} is made {@code 0777}) is
     * closed first and accepted only if it is still empty then: nobody else could have put anything in.
     */
    public static WorkFolders open(Optional<Path> configured) {
        try {
            if (configured.isEmpty()) {
                Path fresh = Files.createTempDirectory("portcullis-exec-");
                Files.setPosixFilePermissions(fresh, ROOT_MODE);
                return new WorkFolders(fresh.toRealPath(), true);
            }
            Path root = configured.get().toAbsolutePath().normalize();
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(root);
            }
            if (Files.isSymbolicLink(root) || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("portcullis.exec.work-root must be a directory, not a link");
            }
            int owner = (Integer) Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != Tools.currentUid()) {
                throw new IllegalStateException("portcullis.exec.work-root must be owned by the service's user");
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(root, LinkOption.NOFOLLOW_LINKS);
            boolean openToOthers = mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE);
            Files.setPosixFilePermissions(root, ROOT_MODE);
            if (openToOthers && !isEmpty(root)) {
                throw new IllegalStateException("portcullis.exec.work-root must not be writable by group or others "
                        + "(an empty one is closed and used; this one is not empty)");
            }
            return new WorkFolders(root.toRealPath(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("portcullis.exec.work-root cannot be prepared", e);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    public Path root() {
        return root;
    }

    /** A fresh empty folder for job {@code id}, owned by {@code uid}/{@code gid} when they are given (>= 0). */
    public Path create(UUID id, int uid, int gid) throws IOException {
        Path dir = root.resolve(id.toString());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(JOB_MODE));
        Files.setPosixFilePermissions(dir, JOB_MODE);
        if (uid >= 0) {
            Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        return dir;
    }

    /** Removes {@code dir} and everything in it; links are removed, never followed. */
    public void delete(Path dir) {
        if (dir == null || !dir.startsWith(root) || dir.equals(root)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    // a job may have taken away its own permissions; the service (owner or root) restores them
                    try {
                        Files.setPosixFilePermissions(d, JOB_MODE);
                    } catch (IOException e) {
                        // root needs none; anyone else tries the delete anyway
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warnf("cannot remove the work folder %s: %s", dir.getFileName(), e.getMessage());
        }
    }

    /** Removes the root when this service made it. */
    public void close() {
        if (ownRoot) {
            try (var entries = Files.list(root)) {
                entries.forEach(this::delete);
            } catch (IOException e) {
                // best effort
            }
            try {
                Files.deleteIfExists(root);
            } catch (IOException e) {
                LOG.warnf("cannot remove %s: %s", root, e.getMessage());
            }
        }
    }
}
