package io.portcullis.common.redis;

import java.util.Optional;

import jakarta.inject.Singleton;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.vertx.redis.client.RedisOptions;

/**
 * Keeps a copy of the options Quarkus built for its default Redis client (endpoints, password, TLS,
 * timeouts from {@code quarkus.redis.*}), so that {@link LoopConnections} opens its own connections
 * exactly as the pooled client does, without a second reading of the configuration.
 */
@Singleton
public class RedisOptionsCapture implements RedisOptionsCustomizer {

    private volatile RedisOptions defaultClient;

    @Override
    public void customize(String clientName, RedisOptions options) {
        if (RedisConfig.isDefaultClient(clientName)) {
            defaultClient = new RedisOptions(options);
        }
    }

    /** The default client's options, once Quarkus has built that client. */
    public Optional<RedisOptions> defaultClient() {
        return Optional.ofNullable(defaultClient);
    }
}
