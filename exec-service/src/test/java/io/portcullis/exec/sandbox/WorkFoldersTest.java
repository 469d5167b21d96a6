package io.portcullis.exec.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The work root as Kubernetes and an operator hand it over. */
class WorkFoldersTest {

    @Test
    void anEmptyWorldWritableRootIsClosedAndUsed(@TempDir Path tmp) throws Exception {
        // what an emptyDir volume is: empty, 0777
        Path root = Files.createDirectory(tmp.resolve("emptydir"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        WorkFolders w = WorkFolders.open(Optional.of(root));
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        assertTrue(w.root().endsWith("emptydir"));
    }

    @Test
    void aWorldWritableRootWithSomethingInItIsRefused(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createFile(root.resolve("planted"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WorkFolders.open(Optional.of(root)));
        assertTrue(e.getMessage().contains("not be writable by group or others"), e.getMessage());
    }

    @Test
    void aMissingRootIsMadePrivate(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("fresh");
        WorkFolders.open(Optional.of(root));
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    }

    /**
     * A process the job left behind swaps a folder for a link to somewhere else while the folder is
     * being removed: the removal goes on in the folder it moved away, and the link's target is untouched.
     */
    @Test
    void aFolderSwappedForALinkDuringRemovalNeverLeadsItOutside(@TempDir Path tmp) throws Exception {
        WorkFolders w = WorkFolders.open(Optional.of(tmp.resolve("root")));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path job = w.create(java.util.UUID.randomUUID(), -1, -1);
        Path a = Files.createDirectory(job.resolve("a"));
        int files = 20_000;
        for (int i = 0; i < files; i++) {
            Files.createFile(a.resolve("f" + i));
            Files.createFile(outside.resolve("f" + i));
        }
        Path first;
        try (var listed = Files.list(a)) {
            first = listed.findFirst().orElseThrow(); // the directory's own order: the first the removal meets
        }
        Thread remover = new Thread(() -> w.delete(job));
        remover.start();
        // as soon as the removal is inside a/, the job's leftover swaps a/ for a link to outside/
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (Files.exists(first, java.nio.file.LinkOption.NOFOLLOW_LINKS) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        Files.move(a, job.resolve("a.moved"));
        Files.createSymbolicLink(a, outside);
        remover.join(60_000);
        try (var left = Files.list(outside)) {
            assertEquals(files, left.count(), "nothing outside the work folder was removed");
        }
        w.delete(job); // what the race left behind goes on the next pass
        assertTrue(!Files.exists(job, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        try (var left = Files.list(outside)) {
            assertEquals(files, left.count());
        }
    }
}
