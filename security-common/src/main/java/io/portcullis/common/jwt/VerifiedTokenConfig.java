package io.portcullis.common.jwt;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The cache of tokens whose signature and claims were verified ({@code portcullis.verified-tokens.*}).
 * A client sends the same access token for up to 15 minutes; re-verifying its RS256 signature on
 * every request is the largest single cost of a small request.
 */
@ConfigMapping(prefix = "portcullis.verified-tokens")
public interface VerifiedTokenConfig {

    /** How many distinct tokens are remembered; {@code 0} verifies every request from scratch. */
    @WithDefault("10000")
    int maxEntries();

    /**
     * How long a verified token is remembered at most (never past its {@code exp}). Bounds how long a
     * token signed by a key that was just removed from the trusted set keeps working.
     */
    @WithDefault("PT60S")
    Duration ttl();
}
