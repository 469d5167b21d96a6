package io.portcullis.common.jwt;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How every service learns that a session ended ({@code portcullis.revocation.*}).
 *
 * <p><b>Fail-closed:</b> when this instance has not been able to refresh its copy of the revocation
 * list for longer than {@link #maxStaleness()} (Redis unreachable), tokens that belong to a session
 * ({@code sid} claim) are refused with 503 and {@code Retry-After} until it can again: a logged-out user must never get back
 * in because Redis blinked. Service tokens carry no {@code sid} and are not affected.
 */
@ConfigMapping(prefix = "portcullis.revocation")
public interface RevocationConfig {

    /** Check the {@code sid} of every token against the revocation list. */
    @WithDefault("true")
    boolean enabled();

    /** How often the whole list is reloaded (pub/sub brings changes at once in between). */
    @WithDefault("PT15S")
    Duration resyncInterval();

    /**
     * The Redis sorted set of revoked {@code sid}s (score: when the entry may go). Every service of one
     * suite must name the same one; tests name their own, so that they never touch a running suite's.
     */
    @WithDefault("auth:revoked-sids")
    String key();

    /** The pub/sub channel that announces each revocation as {@code sid|until}; the same rule as {@link #key()}. */
    @WithDefault("auth:revocations")
    String channel();

    /** After this long without a successful reload, session tokens are refused (fail-closed). */
    @WithDefault("PT2M")
    Duration maxStaleness();
}
