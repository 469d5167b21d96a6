package io.portcullis.audit.config;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * Hands the migrations the login the service works as ({@code quarkus.datasource.username}), as the
 * placeholder {@code runtime_login}, so that {@code V2__runtime_login.sql} grants it the append-only
 * role. The name goes into SQL run by the tables' owner, so only a plain role name is accepted: anything
 * else stops the start.
 */
@Singleton
public class RuntimeLoginPlaceholder implements FlywayConfigurationCustomizer {

    private static final Pattern ROLE_NAME = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");

    @Override
    public void customize(FluentConfiguration configuration) {
        String login = ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.username", String.class).orElse("");
        Map<String, String> placeholders = new HashMap<>(configuration.getPlaceholders());
        placeholders.put("runtime_login", placeholder(login));
        configuration.placeholders(placeholders);
    }

    /** {@code login} when it is a plain role name (or empty, for none). */
    static String placeholder(String login) {
        if (!login.isEmpty() && !ROLE_NAME.matcher(login).matches()) {
            throw new IllegalStateException("quarkus.datasource.username must be a plain role name ([a-z_][a-z0-9_]*, at most 63)"
                    + " for the migration that grants it the append-only role");
        }
        return login;
    }
}
