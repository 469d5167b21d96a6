package io.portcullis.auth.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Sessions ({@code portcullis.sessions.*}): opaque tokens in Redis, idle expiry and an absolute cap. */
@ConfigMapping(prefix = "portcullis.sessions")
public interface SessionConfig {

    /** A session unused this long ends (refreshed on every use). */
    @WithDefault("PT24H")
    Duration idleTimeout();

    /** No session lives longer than this, however busy. */
    @WithDefault("P7D")
    Duration absoluteTimeout();
}
