package io.portcullis.auth.domain;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stored password hash in PHC string format, self-describing so that parameters can change
 * without a migration:
 *
 * <ul>
 * <li>{@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (the default);</li>
 * <li>{@code $pbkdf2-sha256$i=600000,l=32$<salt>$<hash>} (the FIPS-friendly option);</li>
 * <li>{@code $seed-pbkdf2-sha256$i=100000$<salt>$<hash>}: an imported hash of the original seed,
 * whose salt is the 64-character hex string itself (used as UTF-8 bytes) and whose hash is hex;
 * it is verified as it was made, then replaced at the next successful login.</li>
 * </ul>
 *
 * Salt and hash are standard base64 without padding (PHC), except in the seed format.
 */
public record PasswordHash(String algorithm, Map<String, String> params, String salt, String hash) {

    public static final String ARGON2ID = "argon2id";
    public static final String PBKDF2 = "pbkdf2-sha256";
    public static final String SEED_PBKDF2 = "seed-pbkdf2-sha256";

    public static PasswordHash parse(String phc) {
        if (phc == null || !phc.startsWith("$")) {
            throw new IllegalArgumentException("not a PHC string");
        }
        String[] parts = phc.substring(1).split("\\$", -1);
        // argon2id carries a version segment before its parameters
        int i = 0;
        String algorithm = parts[i++];
        Map<String, String> params = new LinkedHashMap<>();
        while (i < parts.length - 2) {
            for (String kv : parts[i++].split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("malformed PHC parameters");
                }
                params.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        if (parts.length < 3) {
            throw new IllegalArgumentException("malformed PHC string");
        }
        return new PasswordHash(algorithm, params, parts[parts.length - 2], parts[parts.length - 1]);
    }

    public String format() {
        StringBuilder sb = new StringBuilder("$").append(algorithm);
        if (ARGON2ID.equals(algorithm)) {
            sb.append("$v=").append(params.getOrDefault("v", "19"));
            sb.append("$m=").append(params.get("m")).append(",t=").append(params.get("t")).append(",p=").append(params.get("p"));
        } else if (PBKDF2.equals(algorithm)) {
            sb.append("$i=").append(params.get("i")).append(",l=").append(params.getOrDefault("l", "32"));
        } else {
            sb.append("$i=").append(params.get("i"));
        }
        return sb.append('$').append(salt).append('$').append(hash).toString();
    }

    /**
     * The parameter, refused unless within {@code [min, max]}: a stored hash's cost is work this
     * service will do on a login, so a hash row changed to ask for a gigabyte or a billion iterations
     * must not freeze the hashing threads or exhaust the heap.
     */
    public int boundedParam(String name, int min, int max) {
        int v = intParam(name);
        if (v < min || v > max) {
            throw new IllegalArgumentException("PHC parameter " + name + " out of bounds");
        }
        return v;
    }

    public int intParam(String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing PHC parameter " + name);
        }
        return Integer.parseInt(v);
    }

    public static String b64(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    public static byte[] unb64(String s) {
        return Base64.getDecoder().decode(s);
    }
}
