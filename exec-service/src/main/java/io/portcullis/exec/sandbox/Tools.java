package io.portcullis.exec.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finds the sandbox's helper programs in a fixed list of folders, never through the service's PATH. */
public final class Tools {

    private final List<Path> folders;

    public Tools(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    public Optional<Path> find(String name) {
        for (Path folder : folders) {
            Path p = folder.resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The real and effective user id of this process, from {@code /proc/self/status}. */
    public static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }
}
