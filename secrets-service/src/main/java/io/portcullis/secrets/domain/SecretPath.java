package io.portcullis.secrets.domain;

import java.util.Set;
import java.util.regex.Pattern;

import io.portcullis.common.validation.Validation;
import io.portcullis.common.validation.ValidationException;

/**
 * The rules for a secret's path, checked before anything else looks at it: segments of letters,
 * digits, {@code .}, {@code -} and {@code _}, separated by single {@code /}; no empty, {@code .} or
 * {@code ..} segment; no leading or trailing slash; at most 512 bytes (the allow-list is ASCII, so
 * characters and bytes agree). The last segment may not be one of the words the API uses after a
 * path ({@code metadata}, {@code undelete}, {@code destroy}, {@code share}).
 */
public final class SecretPath {

    public static final int MAX_BYTES = 512;
    public static final Pattern PATTERN = Pattern.compile("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$");
    /** A policy rule's prefix that covers every path. */
    public static final String EVERYTHING = "*";
    static final Set<String> RESERVED = Set.of("metadata", "undelete", "destroy", "share");
    private static final String WHAT = "letters, digits, '.', '-' and '_' in segments separated by '/'";

    private SecretPath() {
    }

    /** A valid secret path, or a 400 naming {@code field}. */
    public static String require(String field, String path) {
        syntax(field, path);
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (RESERVED.contains(last)) {
            throw new ValidationException(field, field + " must not end with the segment '" + last + "'");
        }
        return path;
    }

    /** A valid prefix for a policy rule: {@code *}, or a path (whose subtree it covers). */
    public static String requirePrefix(String field, String prefix) {
        if (EVERYTHING.equals(prefix)) {
            return prefix;
        }
        return syntax(field, prefix);
    }

    /** A listing prefix: empty (everything) or a path; one trailing slash is tolerated. */
    public static String listingPrefix(String field, String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return syntax(field, p);
    }

    private static String syntax(String field, String path) {
        Validation.require(field, path, PATTERN, MAX_BYTES, WHAT);
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new ValidationException(field, field + " must not contain a '.' or '..' segment");
            }
        }
        return path;
    }

    /** Whether {@code prefix} (a path or {@code *}) covers {@code path}: itself or anything below it. */
    public static boolean covers(String prefix, String path) {
        if (EVERYTHING.equals(prefix) || prefix.isEmpty()) {
            return true;
        }
        return path.equals(prefix) || path.length() > prefix.length() && path.startsWith(prefix)
                && path.charAt(prefix.length()) == '/';
    }
}
