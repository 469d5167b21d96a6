package io.portcullis.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secrets from files named by {@code *_FILE} env vars (how Kubernetes Secrets and
 * {@code deploy/local/run.sh} hand them over), read with the care the seed asks for:
 *
 * <ul>
 * <li>a file that group or others may access in any way (mode {@code & 077}) is refused;</li>
 * <li>setting both {@code X} and {@code X_FILE} is refused, so nobody wonders which one won;</li>
 * <li>every failure names the setting and the file's mode, never a byte of the content.</li>
 * </ul>
 *
 * The content is used as is, but for trailing line breaks and spaces, which editors add.
 */
public final class SecretFiles {

    /** Env var prefixes whose {@code _FILE} variants are read. */
    public static final List<String> PREFIXES = List.of("PORTCULLIS_", "QUARKUS_", "MP_", "SMALLRYE_");

    private SecretFiles() {
    }

    /** A secret setting that cannot be used; the start must fail with this message. */
    public static final class SecretConfigException extends IllegalStateException {
        public SecretConfigException(String message) {
            super(message);
        }
    }

    /**
     * Reads every {@code <PREFIX>..._FILE} variable of {@code env} and returns the secrets under the
     * variable's name without {@code _FILE}.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith("_FILE") || PREFIXES.stream().noneMatch(name::startsWith)) {
                continue;
            }
            String target = name.substring(0, name.length() - "_FILE".length());
            if (env.containsKey(target)) {
                throw new SecretConfigException("both " + target + " and " + name + " are set; set only one of them");
            }
            secrets.put(target, read(name, Path.of(e.getValue())));
        }
        return secrets;
    }

    /**
     * Reads one secret file for the setting {@code setting}.
     *
     * @throws SecretConfigException when the file is missing, unreadable, empty, or open to group or others
     */
    public static String read(String setting, Path file) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (NoSuchFileException e) {
            throw new SecretConfigException(setting + " names a file that does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            throw new SecretConfigException(setting + " names a file whose permissions cannot be read");
        }
        int mode = mode(perms);
        if ((mode & 0077) != 0) {
            throw new SecretConfigException(String.format(
                    "%s names a file that group or others can access (mode %04o); make it 0600 or 0400", setting, mode));
        }
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SecretConfigException(setting + " names a file that cannot be read as UTF-8 text");
        }
        String value = content.stripTrailing();
        if (value.isEmpty()) {
            throw new SecretConfigException(setting + " names an empty file");
        }
        return value;
    }

    static int mode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }
}
