package io.portcullis.secrets.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A one-time share of one version: only the SHA-256 of its token is kept; reading it deletes it. */
@Entity
@Table(name = "secret_share")
public class Share {

    @Id
    @Column(name = "token_hash")
    private String tokenHash;

    @Column(nullable = false)
    private String path;

    @Column(nullable = false)
    private int version;

    @Column(name = "created_by", nullable = false)
    private String createdBy;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    protected Share() {
    }

    public Share(String tokenHash, String path, int version, String createdBy, Instant createdAt, Instant expiresAt) {
        this.tokenHash = tokenHash;
        this.path = path;
        this.version = version;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
    }

    public String getPath() {
        return path;
    }

    public int getVersion() {
        return version;
    }

    public String getCreatedBy() {
        return createdBy;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }

    @Override
    public String toString() {
        return "Share[path=" + path + ", version=" + version + "]";
    }
}
