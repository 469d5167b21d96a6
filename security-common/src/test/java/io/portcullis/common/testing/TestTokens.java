package io.portcullis.common.testing;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Mints JWTs for tests with a test-only key ({@code test-keys/jwt-private.pem}, never used outside
 * {@code src/test}). A fresh builder is valid in every respect (issuer, audience, lifetime, key); a
 * negative test breaks exactly one of them:
 *
 * <pre>
 * String ok      = TestTokens.user("user:42", "user").sign();
 * String expired = TestTokens.user("user:42", "user").expiresAt(Instant.now().minusSeconds(60)).sign();
 * String forged  = TestTokens.user("user:42", "admin").signWithUntrustedKey();
 * </pre>
 */
public final class TestTokens {

    /** What the services trust in the test profile. */
    public static final String ISSUER = "urn:portcullis:auth";
    public static final String AUDIENCE = "portcullis";
    public static final String KEY_ID = "test-key-1";

    private static final String TRUSTED_KEY = "test-keys/jwt-private.pem";
    private static final String UNTRUSTED_KEY = "test-keys/other-private.pem";

    private final Map<String, Object> claims = new LinkedHashMap<>();
    private String subject;
    private Set<String> groups;
    private String issuer = ISSUER;
    private String audience = AUDIENCE;
    private Instant issuedAt = Instant.now();
    private Instant expiresAt = Instant.now().plus(Duration.ofMinutes(5));
    private String keyId = KEY_ID;

    /**
     * The trusted public key as a file, for a packaged service under test (which does not have the
     * test-jar on its classpath).
     */
    public static synchronized String publicKeyFile() {
        return copyToFile("test-keys/jwt-public.pem");
    }

    /** The trusted private key as a 0600 file: what a service under test that signs tokens is given. */
    public static synchronized String privateKeyFile() {
        return copyToFile(TRUSTED_KEY);
    }

    private static String copyToFile(String resource) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("portcullis-test-key-", ".pem",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            try (var in = TestTokens.class.getClassLoader().getResourceAsStream(resource)) {
                java.nio.file.Files.write(file, in.readAllBytes());
            }
            return file.toAbsolutePath().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private TestTokens(String subject, Set<String> groups) {
        this.subject = subject;
        this.groups = groups;
    }

    /** A token for {@code subject} (e.g. {@code user:<id>} or {@code svc:<name>}) in {@code groups}. */
    public static TestTokens user(String subject, String... groups) {
        return new TestTokens(subject, Set.of(groups));
    }

    public static TestTokens admin() {
        return user("user:" + UUID.randomUUID(), "admin", "user");
    }

    public static TestTokens service(String name) {
        return user("svc:" + name, "service");
    }

    public TestTokens issuer(String issuer) {
        this.issuer = issuer;
        return this;
    }

    public TestTokens audience(String audience) {
        this.audience = audience;
        return this;
    }

    public TestTokens issuedAt(Instant issuedAt) {
        this.issuedAt = issuedAt;
        return this;
    }

    public TestTokens expiresAt(Instant expiresAt) {
        this.expiresAt = expiresAt;
        return this;
    }

    public TestTokens keyId(String keyId) {
        this.keyId = keyId;
        return this;
    }

    public TestTokens claim(String name, Object value) {
        claims.put(name, value);
        return this;
    }

    /** Signed (RS256) with the key the services under test trust. */
    public String sign() {
        return signWith(TRUSTED_KEY);
    }

    /** Signed (RS256) with a key nobody trusts: a forgery. */
    public String signWithUntrustedKey() {
        return signWith(UNTRUSTED_KEY);
    }

    /**
     * Signed by a key nobody trusts, which the token itself points to: in a {@code jwk} header (the
     * key embedded) and a {@code jku} header (a URL to fetch it from). A verifier that believes either
     * accepts a forgery.
     */
    public String signWithKeyItNamesItself() {
        try {
            PrivateKey key = KeyUtils.readPrivateKey(UNTRUSTED_KEY);
            java.security.interfaces.RSAPrivateCrtKey rsa = (java.security.interfaces.RSAPrivateCrtKey) key;
            Map<String, Object> jwk = Map.of("kty", "RSA", "kid", keyId,
                    "n", Base64.getUrlEncoder().withoutPadding().encodeToString(unsigned(rsa.getModulus())),
                    "e", Base64.getUrlEncoder().withoutPadding().encodeToString(unsigned(rsa.getPublicExponent())));
            return builder().jws().keyId(keyId).header("jwk", jwk).header("jku", "https://attacker.example/jwks.json").sign(key);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    /**
     * HS256, keyed with the trusted RSA public key (the PEM text anyone can fetch): the algorithm
     * confusion forgery, accepted by a verifier that lets the token choose the algorithm.
     */
    public String signHs256WithThePublicKey() {
        try (var in = TestTokens.class.getClassLoader().getResourceAsStream("test-keys/jwt-public.pem")) {
            javax.crypto.SecretKey secret = new javax.crypto.spec.SecretKeySpec(in.readAllBytes(), "HmacSHA256");
            return builder().jws().keyId(keyId).algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.HS256).sign(secret);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    private static byte[] unsigned(java.math.BigInteger n) {
        byte[] b = n.toByteArray();
        return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** The same claims with {@code "alg": "none"} and no signature. */
    public String unsigned() {
        String header = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
        return b64(header) + "." + b64(payloadJson()) + ".";
    }

    private String payloadJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"iss\":\"").append(issuer).append("\",");
        sb.append("\"sub\":\"").append(subject).append("\",");
        sb.append("\"upn\":\"").append(subject).append("\",");
        sb.append("\"aud\":\"").append(audience).append("\",");
        sb.append("\"groups\":[");
        sb.append(String.join(",", groups.stream().map(g -> "\"" + g + "\"").toList()));
        sb.append("],");
        sb.append("\"jti\":\"").append(UUID.randomUUID()).append("\",");
        sb.append("\"iat\":").append(issuedAt.getEpochSecond()).append(',');
        sb.append("\"exp\":").append(expiresAt.getEpochSecond()).append('}');
        return sb.toString();
    }

    private JwtClaimsBuilder builder() {
        JwtClaimsBuilder b = Jwt.issuer(issuer)
                .subject(subject)
                .upn(subject)
                .groups(groups)
                .audience(audience)
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(issuedAt)
                .expiresAt(expiresAt);
        claims.forEach(b::claim);
        return b;
    }

    private String signWith(String keyLocation) {
        try {
            PrivateKey key = KeyUtils.readPrivateKey(keyLocation);
            return builder().jws().keyId(keyId).sign(key);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test token with " + keyLocation, e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
