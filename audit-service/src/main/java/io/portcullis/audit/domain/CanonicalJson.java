package io.portcullis.audit.domain;

import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON form that the hash chain covers, following RFC 8785 (JCS) for the values this
 * log holds (strings, integers, null, and one flat object of strings):
 *
 * <ul>
 * <li>object members sorted by key, compared as UTF-16 code units ({@link String#compareTo});</li>
 * <li>no whitespace anywhere;</li>
 * <li>strings escaped minimally: {@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control
 * characters as a six-character {@code \\u} escape with lower-case hex; everything else, including non-ASCII, as is; the
 * bytes hashed are the UTF-8 encoding;</li>
 * <li>integers in plain decimal; absent values as {@code null}.</li>
 * </ul>
 */
public final class CanonicalJson {

    private final StringBuilder out = new StringBuilder(512);

    private CanonicalJson() {
    }

    /** The canonical form of a flat object whose values are String, Long/Integer, Map of strings, or null. */
    public static String of(Map<String, Object> object) {
        CanonicalJson c = new CanonicalJson();
        c.object(object);
        return c.out.toString();
    }

    @SuppressWarnings("unchecked")
    private void value(Object v) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(s);
        } else if (v instanceof Long || v instanceof Integer) {
            out.append(v);
        } else if (v instanceof Map<?, ?> m) {
            object((Map<String, Object>) m);
        } else {
            throw new IllegalArgumentException("not canonicalisable: " + v.getClass().getSimpleName());
        }
    }

    private void object(Map<String, Object> object) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : new TreeMap<>(object).entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(e.getKey());
            out.append(':');
            value(e.getValue());
        }
        out.append('}');
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
