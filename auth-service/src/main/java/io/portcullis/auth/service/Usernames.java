package io.portcullis.auth.service;

import java.util.Locale;
import java.util.regex.Pattern;

import io.portcullis.common.validation.Validation;

/**
 * Usernames: 3 to 64 of lower-case ASCII letters, digits, {@code .}, {@code _} and {@code -},
 * starting with a letter or digit. Input is lower-cased first, so {@code Alice} and {@code alice} are
 * one account; nothing outside ASCII is accepted, so no look-alike can impersonate another name.
 */
public final class Usernames {

    public static final Pattern PATTERN = Pattern.compile("^[a-z0-9][a-z0-9._-]{2,63}$");

    private Usernames() {
    }

    /** The canonical form, or a 400 naming {@code field}. */
    public static String require(String field, String raw) {
        return Validation.require(field, raw == null ? null : raw.toLowerCase(Locale.ROOT), PATTERN, 3, 64,
                "lower-case letters, digits, '.', '_' and '-' (3 to 64, starting with a letter or digit)");
    }

    /** The canonical form if {@code raw} could be a username at all, else null (no exception). */
    public static String canonicalOrNull(String raw) {
        if (raw == null || raw.length() > 64) {
            return null;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        return PATTERN.matcher(lower).matches() ? lower : null;
    }
}
