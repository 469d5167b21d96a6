package io.portcullis.gateway.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An application's key to the gateway. The secret itself is never stored, only its SHA-256. */
@Entity
@Table(name = "api_key")
public class ApiKey {

    @Id
    @Column(name = "key_id")
    private String keyId;

    @Column(nullable = false)
    private String name;

    @Column(name = "secret_sha256", nullable = false)
    private byte[] secretSha256;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]", nullable = false)
    private String[] scopes;

    @Column(name = "expires_at")
    private Instant expiresAt;

    @Column(name = "rate_limit_requests")
    private Integer rateLimitRequests;

    @Column(name = "rate_limit_window_seconds")
    private Integer rateLimitWindowSeconds;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "created_by", nullable = false)
    private String createdBy;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected ApiKey() {
    }

    public static ApiKey create(String keyId, String name, byte[] secretSha256, List<String> scopes, Instant expiresAt,
            Integer requests, Integer windowSeconds, String createdBy) {
        ApiKey k = new ApiKey();
        k.keyId = keyId;
        k.name = name;
        k.secretSha256 = secretSha256;
        k.scopes = scopes.toArray(String[]::new);
        k.expiresAt = expiresAt;
        k.rateLimitRequests = requests;
        k.rateLimitWindowSeconds = windowSeconds;
        k.createdAt = Instant.now();
        k.createdBy = createdBy;
        return k;
    }

    public String keyId() {
        return keyId;
    }

    public String name() {
        return name;
    }

    public byte[] secretSha256() {
        return secretSha256.clone();
    }

    public List<String> scopes() {
        return List.copyOf(Arrays.asList(scopes));
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public Integer rateLimitRequests() {
        return rateLimitRequests;
    }

    public Integer rateLimitWindowSeconds() {
        return rateLimitWindowSeconds;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public String createdBy() {
        return createdBy;
    }

    public Instant revokedAt() {
        return revokedAt;
    }

    public void revoke() {
        if (revokedAt == null) {
            revokedAt = Instant.now();
        }
    }
}
