package io.portcullis.auth.service;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.portcullis.auth.config.JwtConfig;
import io.portcullis.common.config.SecretFiles;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Mints access tokens with SmallRye JWT: RS256, {@code kid} = the RFC 7638 thumbprint of the key,
 * claims {@code iss sub upn groups aud jti iat exp} (DESIGN.md) plus {@code sid} for session tokens;
 * lifetime at most 15 minutes. Publishes the JWKS: the active key and the previous ones, so that a
 * rotation never breaks tokens in flight.
 */
@ApplicationScoped
public class TokenIssuer {

    public static final Duration MAX_LIFETIME = Duration.ofMinutes(15);
    private static final Logger LOG = Logger.getLogger(TokenIssuer.class);

    /** A signed token and when it expires. */
    public record Token(String value, Instant expiresAt, long expiresIn) {
    }

    private final JwtConfig config;
    private final PrivateKey signingKey;
    private final String keyId;
    private final List<Map<String, Object>> jwks = new ArrayList<>();

    public TokenIssuer(JwtConfig config) {
        this.config = config;
        if (config.lifetime().compareTo(MAX_LIFETIME) > 0 || config.lifetime().isNegative() || config.lifetime().isZero()) {
            throw new IllegalStateException("portcullis.jwt.lifetime must be between 1 second and 15 minutes");
        }
        RSAPrivateCrtKey key = loadKey(config);
        this.signingKey = key;
        RSAPublicKey publicKey = publicOf(key);
        this.keyId = thumbprint(publicKey);
        jwks.add(jwk(publicKey, keyId));
        for (String pem : config.previousPublicKeys().orElse(List.of())) {
            RSAPublicKey previous = publicFromPem(pem);
            jwks.add(jwk(previous, thumbprint(previous)));
        }
    }

    /** A token for a user's session. */
    public Token userToken(UUID userId, String username, List<String> groups, String sid) {
        return sign(Jwt.subject(userId.toString()).upn(username).groups(Set.copyOf(groups)).claim("sid", sid));
    }

    /** A token for a service of the suite ({@code sub = svc:<name>}, group {@code service}). */
    public Token serviceToken(String clientId) {
        String subject = "svc:" + clientId;
        return sign(Jwt.subject(subject).upn(subject).groups(Set.of("service")));
    }

    private Token sign(JwtClaimsBuilder claims) {
        Instant now = Instant.now();
        Instant exp = now.plus(config.lifetime());
        String jwt = claims.issuer(config.issuer())
                .audience(config.audience())
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(now)
                .expiresAt(exp)
                .jws().keyId(keyId).algorithm(SignatureAlgorithm.RS256)
                .sign(signingKey);
        return new Token(jwt, exp, config.lifetime().toSeconds());
    }

    /** The JSON Web Key Set: {@code {"keys": [...]}}. */
    public Map<String, Object> jwks() {
        return Map.of("keys", jwks);
    }

    public String keyId() {
        return keyId;
    }

    public Duration lifetime() {
        return config.lifetime();
    }

    private static RSAPrivateCrtKey loadKey(JwtConfig config) {
        String pem;
        if (config.signingKey().isPresent()) {
            pem = config.signingKey().get();
        } else if (config.signingKeyLocation().isPresent()) {
            pem = read(config.signingKeyLocation().get());
        } else if (config.ephemeralSigningKey()) {
            LOG.warn("no JWT signing key configured: using a throwaway key (dev/test only)");
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                return (RSAPrivateCrtKey) g.generateKeyPair().getPrivate();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        } else {
            throw new IllegalStateException("portcullis.jwt.signing-key is not set (PORTCULLIS_JWT_SIGNING_KEY_FILE): "
                    + "an RSA private key in PKCS#8 PEM is required to sign tokens");
        }
        try {
            PrivateKey key = KeyUtils.decodePrivateKey(pem, SignatureAlgorithm.RS256);
            RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalStateException("portcullis.jwt.signing-key must be an RSA key of at least 2048 bits");
            }
            return rsa;
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("portcullis.jwt.signing-key is not an RSA private key in PKCS#8 PEM");
        }
    }

    private static String read(String location) {
        Path file = Path.of(location);
        if (Files.exists(file)) {
            return SecretFiles.read("portcullis.jwt.signing-key-location", file);
        }
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(location)) {
            if (in == null) {
                throw new IllegalStateException("portcullis.jwt.signing-key-location names nothing readable");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("portcullis.jwt.signing-key-location cannot be read");
        }
    }

    private static RSAPublicKey publicOf(RSAPrivateCrtKey key) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAPublicKey publicFromPem(String pem) {
        try {
            return (RSAPublicKey) KeyUtils.decodePublicKey(pem, SignatureAlgorithm.RS256);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("portcullis.jwt.previous-public-keys holds something that is not an RSA public key");
        }
    }

    private static String b64url(BigInteger n) {
        byte[] bytes = n.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** RFC 7638: SHA-256 over {"e":..,"kty":"RSA","n":..}, base64url. */
    static String thumbprint(RSAPublicKey key) {
        String canonical = "{\"e\":\"" + b64url(key.getPublicExponent()) + "\",\"kty\":\"RSA\",\"n\":\"" + b64url(key.getModulus()) + "\"}";
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> jwk(RSAPublicKey key, String kid) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("kid", kid);
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("n", b64url(key.getModulus()));
        jwk.put("e", b64url(key.getPublicExponent()));
        return jwk;
    }
}
