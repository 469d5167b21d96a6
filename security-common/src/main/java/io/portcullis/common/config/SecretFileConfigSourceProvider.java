package io.portcullis.common.config;

import java.util.List;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSourceProvider;

import io.smallrye.config.EnvConfigSource;

/**
 * Makes every setting overridable through a file as well as an env var: for
 * {@code PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD_FILE=/run/secrets/admin} the property
 * {@code portcullis.bootstrap.admin.password} takes the file's content, and so does
 * {@code quarkus.datasource.password} for {@code QUARKUS_DATASOURCE_PASSWORD_FILE}. Files are
 * checked by {@link SecretFiles}; a bad one stops the start with a message naming the setting.
 */
public class SecretFileConfigSourceProvider implements ConfigSourceProvider {

    /** Just below plain env vars (300); both at once are refused anyway. */
    public static final int ORDINAL = 295;

    @Override
    public Iterable<ConfigSource> getConfigSources(ClassLoader forClassLoader) {
        return List.of(new SecretFileConfigSource(SecretFiles.fromEnvironment(System.getenv())));
    }

    static final class SecretFileConfigSource extends EnvConfigSource {
        SecretFileConfigSource(java.util.Map<String, String> secrets) {
            super(secrets, ORDINAL);
        }

        @Override
        public String getName() {
            return "PortcullisSecretFiles";
        }
    }
}
