package io.portcullis.common.testing;

/**
 * This test run's own revocation list and channel (set by {@code LocalInfraTestResource}), readable
 * under {@code @QuarkusTest} and {@code @QuarkusIntegrationTest} alike.
 */
public final class Revocations {

    static final String KEY_PROPERTY = "portcullis.test.revocation.key";
    static final String CHANNEL_PROPERTY = "portcullis.test.revocation.channel";

    private Revocations() {
    }

    /** The sorted set of revoked {@code sid}s. */
    public static String key() {
        return required(KEY_PROPERTY);
    }

    /** The channel that announces revocations. */
    public static String channel() {
        return required(CHANNEL_PROPERTY);
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("LocalInfraTestResource did not run: no " + property);
        }
        return value;
    }
}
