package io.portcullis.common.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class CachedTokenTest {

    @Test
    void aLongLivedTokenIsRefreshedAMinuteBeforeItExpires() {
        Instant before = Instant.now();
        CachedToken t = CachedToken.of("t", Duration.ofMinutes(15));
        assertTrue(t.fresh());
        assertFalse(t.refreshAt().isBefore(before.plus(Duration.ofMinutes(14))));
        assertTrue(t.refreshAt().isBefore(Instant.now().plus(Duration.ofMinutes(14)).plusMillis(1)));
    }

    @Test
    void aShortLivedTokenIsRefreshedHalfwayThroughItsLife() {
        Instant before = Instant.now();
        CachedToken t = CachedToken.of("t", Duration.ofSeconds(90));
        assertFalse(t.refreshAt().isBefore(before.plusSeconds(45)));
        assertTrue(t.refreshAt().isBefore(Instant.now().plusSeconds(45).plusMillis(1)));
    }

    @Test
    void aTokenPastItsRefreshTimeIsNotFresh() {
        assertFalse(new CachedToken("t", Instant.now().minusMillis(1)).fresh());
    }
}
