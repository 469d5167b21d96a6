package io.portcullis.exec.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Removes {@code dir} and everything in it; links are removed, never followed. Every step is taken
     * relative to a directory already open ({@link SecureDirectoryStream}: {@code openat},
     * {@code unlinkat}, {@code fstatat} without following links), never by a path string: a process the
     * job left behind that swaps a folder for a link while it is being removed finds the removal going on
     * in the folder it moved away, never in the link's target.
     */
    public void delete(Path dir) {
        if (dir == null || !dir.startsWith(root) || dir.equals(root) || !dir.getParent().equals(root)) {
            return;
        }
        try (DirectoryStream<Path> top = Files.newDirectoryStream(root)) {
            if (!(top instanceof SecureDirectoryStream<Path> secure)) {
                throw new IOException("this platform cannot remove folders relative to an open directory");
            }
            remove(secure, dir.getFileName(), dir);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warnf("cannot remove the work folder %s: %s", dir.getFileName(), e.getMessage());
        }
    }

    /** {@code path} is where {@code name} was, for the one step that can only be taken by path (below). */
    private static void remove(SecureDirectoryStream<Path> parent, Path name, Path path) throws IOException {
        BasicFileAttributes attrs = parent.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (!attrs.isDirectory()) {
            parent.deleteFile(name); // a file, or a link itself (never what it points to)
            return;
        }
        // a job may have taken its own permissions away; the service (root, or the owner) gives them back
        try {
            parent.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(JOB_MODE);
        } catch (IOException e) {
            // that opens the folder first, which its owner cannot do once it is 000 (root needs no
            // permissions at all): the owner's chmod by path, only while it is still a directory
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.setPosixFilePermissions(path, JOB_MODE);
                } catch (IOException ignored) {
                    // the removal below says what is left
                }
            }
        }
        try (SecureDirectoryStream<Path> child = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> names = new ArrayList<>();
            for (Path entry : child) {
                names.add(entry.getFileName());
            }
            for (Path entry : names) {
                try {
                    remove(child, entry, path.resolve(entry));
                } catch (NoSuchFileException e) {
                    // gone meanwhile
                }
            }
        }
        parent.deleteDirectory(name);
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
