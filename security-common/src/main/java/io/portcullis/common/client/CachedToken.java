package io.portcullis.common.client;

import java.time.Duration;
import java.time.Instant;

/**
 * A service token held until shortly before it expires: a minute early, or halfway through a
 * lifetime shorter than two minutes, so that no call leaves with a token about to lapse.
 */
public record CachedToken(String token, Instant refreshAt) {

    private static final Duration EARLY_REFRESH = Duration.ofSeconds(60);

    /** {@code token}, issued now and valid for {@code life}. */
    public static CachedToken of(String token, Duration life) {
        Duration valid = life.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : life;
        Duration early = valid.compareTo(EARLY_REFRESH.multipliedBy(2)) > 0 ? EARLY_REFRESH : valid.dividedBy(2);
        return new CachedToken(token, Instant.now().plus(valid).minus(early));
    }

    /** Whether the token may still be sent. */
    public boolean fresh() {
        return Instant.now().isBefore(refreshAt);
    }
}
