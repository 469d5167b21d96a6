package io.portcullis.auth.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Brute-force defence ({@code portcullis.lockout.*}), on by default (Keycloak ships it off).
 * Failures are counted per account and per client address in Redis, so they survive a restart and
 * count across instances. After {@link #accountFailures()} failures within {@link #window()} the
 * account is locked for {@link #baseLock()}, doubling at each further lockout up to
 * {@link #maxLock()}; a success resets the account's count. Never permanent: a lockout that never
 * ends is a denial of service anyone can inflict.
 */
@ConfigMapping(prefix = "portcullis.lockout")
public interface LockoutConfig {

    @WithDefault("true")
    boolean enabled();

    /** Failures per account within the window before a lock. */
    @WithDefault("10")
    int accountFailures();

    /** Failures per client address (over all accounts) within the window before a lock. */
    @WithDefault("100")
    int addressFailures();

    @WithDefault("PT15M")
    Duration window();

    /** The first lock; each further one doubles. */
    @WithDefault("PT1M")
    Duration baseLock();

    /** The longest lock. */
    @WithDefault("PT15M")
    Duration maxLock();

    /**
     * When Redis cannot be reached: refuse logins (503, fail-closed, the default) rather than let
     * unlimited guessing through.
     */
    @WithDefault("false")
    boolean failOpen();
}
