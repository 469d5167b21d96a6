package io.portcullis.auth.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Access tokens ({@code portcullis.jwt.*}): RS256 with a {@code kid}, short-lived. */
@ConfigMapping(prefix = "portcullis.jwt")
public interface JwtConfig {

    /** The {@code iss} claim every service checks. */
    @WithDefault("urn:portcullis:auth")
    String issuer();

    /** The {@code aud} claim every service checks. */
    @WithDefault("portcullis")
    String audience();

    /** Lifetime of an access token; at most 15 minutes (the start fails otherwise). */
    @WithDefault("PT10M")
    Duration lifetime();

    /**
     * The RSA private key (PKCS#8 PEM) that signs tokens, usually from
     * {@code PORTCULLIS_JWT_SIGNING_KEY_FILE} ({@code deploy/local/run.sh} generates one).
     */
    Optional<String> signingKey();

    /** Alternatively, where to read that PEM from (a file path or a classpath resource). */
    Optional<String> signingKeyLocation();

    /** A throwaway key when none is configured: dev and test only, never production. */
    @WithDefault("false")
    boolean ephemeralSigningKey();

    /**
     * Public keys (PEM) of the previous signing keys, still listed in the JWKS so that tokens signed
     * before a rotation stay valid until they expire.
     */
    Optional<List<String>> previousPublicKeys();
}
