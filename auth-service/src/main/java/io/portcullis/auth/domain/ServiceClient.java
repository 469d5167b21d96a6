package io.portcullis.auth.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A service of the suite that gets tokens with the client-credentials grant; only a hash of its secret is kept. */
@Entity
@Table(name = "service_client")
public class ServiceClient {

    @Id
    @Column(name = "client_id")
    private String clientId;

    @Column(name = "secret_hash", nullable = false)
    private String secretHash;

    @Column(nullable = false)
    private String status;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected ServiceClient() {
    }

    public static ServiceClient create(String clientId, String secretHash) {
        ServiceClient c = new ServiceClient();
        c.clientId = clientId;
        c.secretHash = secretHash;
        c.status = User.ACTIVE;
        c.createdAt = Instant.now();
        c.updatedAt = c.createdAt;
        return c;
    }

    public String clientId() {
        return clientId;
    }

    public String secretHash() {
        return secretHash;
    }

    public boolean isActive() {
        return User.ACTIVE.equals(status);
    }

    public void changeSecretHash(String hash) {
        this.secretHash = hash;
        this.updatedAt = Instant.now();
    }
}
