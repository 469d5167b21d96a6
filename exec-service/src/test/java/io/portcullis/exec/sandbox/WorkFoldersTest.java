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
}
