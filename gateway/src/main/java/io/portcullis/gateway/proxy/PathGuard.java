package io.portcullis.gateway.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decides, before anything else, whether a request path is one the gateway will reason about.
 * Every security decision (route, scope) is taken on the decoded path; the raw path is forwarded
 * unchanged. So that both mean the same thing everywhere downstream, a path is refused (400) when it
 * holds anything whose meaning depends on who decodes it:
 *
 * <ul>
 * <li>characters outside RFC 3986's path characters (spaces, backslashes, non-ASCII, controls);</li>
 * <li>a malformed or non-UTF-8 percent-encoding;</li>
 * <li>an encoded {@code /}, {@code \}, {@code .}, {@code %}, NUL or control character (so no
 * {@code %2e%2e}, {@code %252e}, {@code %c0%ae}, {@code ..%2f});</li>
 * <li>a {@code .} or {@code ..} segment, or an empty one ({@code //});</li>
 * <li>a {@code ;}, plain or encoded: JAX-RS strips {@code ;params} from a segment before matching,
 * so {@code /gateway;x/keys} or {@code /auth/login;x} would mean to a service what they do not mean
 * to the gateway's prefixes;</li>
 * <li>more than 2,048 characters.</li>
 * </ul>
 */
public final class PathGuard {

    public static final int MAX_LENGTH = 2048;

    /** A path the gateway refuses, with a reason safe to show. */
    public static final class BadPath extends Exception {
        public BadPath(String reason) {
            super(reason, null, false, false);
        }
    }

    private PathGuard() {
    }

    /** The decoded path for decisions, or {@link BadPath}. */
    public static String decide(String raw) throws BadPath {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            throw new BadPath("The path must start with '/'.");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new BadPath("The path is too long.");
        }
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new BadPath("The path holds a malformed percent-encoding.");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new BadPath("The path holds a malformed percent-encoding.");
                }
                int b = hi * 16 + lo;
                if (b == '/' || b == '\\' || b == '.' || b == '%' || b < 0x20 || b == 0x7f) {
                    throw new BadPath("The path holds an encoded '/', '\\', '.', '%' or control character.");
                }
                decoded.write(b);
                i += 2;
            } else if (isPathChar(c)) {
                decoded.write(c);
            } else {
                throw new BadPath("The path holds a character that is not allowed in a URL path.");
            }
        }
        String path;
        try {
            path = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(decoded.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new BadPath("The path holds a percent-encoding that is not UTF-8.");
        }
        if (path.indexOf(';') >= 0) {
            throw new BadPath("The path holds a ';' (path parameters are not accepted).");
        }
        String[] segments = path.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals(".") || s.equals("..")) {
                throw new BadPath("The path holds a '.' or '..' segment.");
            }
            if (s.isEmpty() && i < segments.length - 1) {
                throw new BadPath("The path holds an empty segment.");
            }
        }
        return path;
    }

    /** RFC 3986 pchar and '/', without '%' (handled above). */
    static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }
}
