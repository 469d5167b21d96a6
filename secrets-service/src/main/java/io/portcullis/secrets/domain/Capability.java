package io.portcullis.secrets.domain;

import java.util.Locale;
import java.util.Optional;

/** What a policy rule may grant on a path prefix. Nothing is granted unless a rule says so. */
public enum Capability {
    /** Read a value (and, with {@link #SHARE}, hand it out once). */
    READ,
    /** Write new versions; change a path's metadata. */
    WRITE,
    /** Soft-delete and undelete versions. */
    DELETE,
    /** Destroy versions for good, or a whole path with its metadata. */
    DESTROY,
    /** List paths and read metadata (never values). */
    LIST,
    /** Create one-time shares of a value; needs {@link #READ} as well. */
    SHARE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Capability> fromWire(String s) {
        for (Capability c : values()) {
            if (c.wire().equals(s)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
