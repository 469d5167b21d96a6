package io.portcullis.common.validation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Positive (allow-list) input validation, shared by every service (OWASP ASVS 2.2.1, 5.3.2).
 *
 * <p>Every check works the same way: reject null and empty, reject anything longer than the limit
 * <em>before</em> any pattern runs, then accept only what the allow-list pattern describes. Nothing
 * is "cleaned up" into validity: a bad input is refused, with a message naming the field and what it
 * may contain, and never echoing the value. Anything outside printable ASCII fails the allow-lists, so
 * look-alike characters (fullwidth dots, division slashes, the two-dot leader), percent-encodings,
 * overlong UTF-8, backslashes and NUL are all refused without being decoded.
 */
public final class Validation {

    /** The seed's package name rule: letters, digits, dash, underscore; at most 100. */
    public static final Pattern PACKAGE_NAME = Pattern.compile("^[a-zA-Z0-9_-]+$");
    public static final int PACKAGE_NAME_MAX = 100;

    /** Characters a relative file path may contain: letters, digits, dot, dash, underscore, slash. */
    public static final Pattern FILE_PATH = Pattern.compile("^[A-Za-z0-9._/-]+$");
    public static final int FILE_PATH_MAX = 4096;

    /** An identifier: starts with a letter or digit, then letters, digits, dot, dash, underscore. */
    public static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*$");

    private Validation() {
    }

    /**
     * Checks {@code value} for presence, length and an allow-list pattern.
     *
     * @param field the input's name as the client knows it (reported back in the problem)
     * @param what a few words saying what the pattern allows, for the error message
     * @return {@code value}, unchanged
     * @throws ValidationException naming {@code field}
     */
    public static String require(String field, String value, Pattern allowList, int maxLength, String what) {
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, field + " is required");
        }
        if (value.length() > maxLength) {
            throw new ValidationException(field, field + " must be at most " + maxLength + " characters");
        }
        if (!allowList.matcher(value).matches()) {
            throw new ValidationException(field, field + " may contain only " + what);
        }
        return value;
    }

    /** Like {@link #require} and also at least {@code minLength} characters. */
    public static String require(String field, String value, Pattern allowList, int minLength, int maxLength, String what) {
        require(field, value, allowList, maxLength, what);
        if (value.length() < minLength) {
            throw new ValidationException(field, field + " must be at least " + minLength + " characters");
        }
        return value;
    }

    /**
     * The seed's {@code validate_package_name}: {@code ^[a-zA-Z0-9_-]+$}, at most 100 characters;
     * which also excludes {@code ..} and {@code /}.
     */
    public static String packageName(String field, String name) {
        return require(field, name, PACKAGE_NAME, PACKAGE_NAME_MAX, "letters, digits, '-' and '_'");
    }

    /**
     * A path that can only name something inside whatever folder it is resolved against (a job's work
     * folder, say), judged on its text alone: allow-listed characters ({@link #FILE_PATH}), at most
     * {@code maxLength}, relative (no leading {@code /}), and no empty, {@code .} or {@code ..} segment.
     */
    public static String relativePath(String field, String path, int maxLength) {
        require(field, path, FILE_PATH, Math.min(maxLength, FILE_PATH_MAX), "letters, digits, '.', '-', '_' and '/'");
        if (path.startsWith("/")) {
            throw new ValidationException(field, field + " must be a relative path");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new ValidationException(field, field + " must not contain an empty, '.' or '..' segment");
            }
        }
        return path;
    }

    /**
     * The seed's {@code validate_file_path}, hardened: the path must resolve, after canonicalisation,
     * to {@code baseDir} or somewhere inside it.
     *
     * <ol>
     * <li>presence, length (at most 4096) and the allow-list {@link #FILE_PATH}: no NUL, no
     * backslash, no percent-encoding, nothing outside ASCII;</li>
     * <li>no {@code ..} segment at all, even one that would stay inside the base;</li>
     * <li>a relative path resolves against {@code baseDir}; an absolute one must already point inside
     * it;</li>
     * <li>symbolic links are resolved: the deepest part of the path that exists is turned into its
     * real path, which must lie inside the real path of {@code baseDir}, so a link that points out of
     * the base is refused.</li>
     * </ol>
     *
     * The result is the canonical path. A link created after this check is not seen by it: open the
     * result with {@link LinkOption#NOFOLLOW_LINKS} where the platform allows.
     *
     * @param baseDir an existing directory
     * @return the canonical path inside {@code baseDir}
     */
    public static Path filePath(String field, String pathString, Path baseDir) {
        require(field, pathString, FILE_PATH, FILE_PATH_MAX, "letters, digits, '.', '-', '_' and '/'");
        for (String segment : pathString.split("/", -1)) {
            if (segment.equals("..")) {
                throw new ValidationException(field, field + " must not contain a '..' segment");
            }
        }
        Path realBase;
        try {
            realBase = baseDir.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("base directory does not exist", e);
        }
        Path candidate;
        try {
            Path given = Path.of(pathString);
            candidate = (given.isAbsolute() ? given : baseDir.toAbsolutePath().resolve(given)).normalize();
        } catch (InvalidPathException e) {
            throw new ValidationException(field, field + " is not a valid path");
        }
        Path canonical = canonicalise(field, candidate);
        if (!canonical.startsWith(realBase)) {
            throw new ValidationException(field, field + " must stay inside its base directory");
        }
        return canonical;
    }

    /** The real path of the deepest existing ancestor, with the rest of the path appended. */
    private static Path canonicalise(String field, Path absolute) {
        Path existing = absolute;
        Path rest = null;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            Path name = existing.getFileName();
            rest = rest == null ? name : name.resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            Path real = existing.toRealPath();
            return (rest == null ? real : real.resolve(rest)).normalize();
        } catch (IOException e) {
            // a dangling link or an unreadable folder: refuse rather than guess
            throw new ValidationException(field, field + " must stay inside its base directory");
        }
    }

    /**
     * Makes a value safe to put in one log line or audit field: control characters (CR, LF, tab, NUL,
     * the C1 range) and the Unicode line and paragraph separators become {@code _}, and the result is
     * cut to {@code maxLength} characters with a marker, so no forged line survives.
     */
    public static String forLog(String value, int maxLength) {
        if (value == null) {
            return null;
        }
        String cut = value.length() > maxLength ? value.substring(0, maxLength) : value;
        StringBuilder sb = new StringBuilder(cut.length() + 3);
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            sb.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '_' : c);
        }
        if (value.length() > maxLength) {
            sb.append("...");
        }
        return sb.toString();
    }
}
