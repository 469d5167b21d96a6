package io.portcullis.auth.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * First-start settings ({@code portcullis.bootstrap.*}, DESIGN.md Bootstrap). No default password
 * exists anywhere: the first admin is created from these only when no user exists yet, and each
 * service client only when it does not exist yet; later starts ignore them.
 */
@ConfigMapping(prefix = "portcullis.bootstrap")
public interface BootstrapConfig {

    Admin admin();

    /**
     * A folder holding one file per service client: the file's name is the client id, its content the
     * secret ({@code PORTCULLIS_BOOTSTRAP_CLIENTS_DIR}; a Kubernetes Secret mounted as a volume has this
     * shape). Each file is refused if group or others can access it.
     */
    Optional<String> clientsDir();

    interface Admin {
        /** {@code PORTCULLIS_BOOTSTRAP_ADMIN_USER}. */
        Optional<String> user();

        /** {@code PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD_FILE}. */
        Optional<String> password();
    }
}
