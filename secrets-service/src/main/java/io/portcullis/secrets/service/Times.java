package io.portcullis.secrets.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Now, at the database's precision (microseconds), so what is returned is what is stored. */
final class Times {

    private Times() {
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
