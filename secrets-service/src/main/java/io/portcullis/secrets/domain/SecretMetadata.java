package io.portcullis.secrets.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A path: its version counter and settings. Created by the first write or metadata update. */
@Entity
@Table(name = "secret_metadata")
public class SecretMetadata {

    @Id
    private String path;

    @Column(name = "current_version", nullable = false)
    private int currentVersion;

    @Column(name = "max_versions", nullable = false)
    private int maxVersions;

    @Column(name = "cas_required", nullable = false)
    private boolean casRequired;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    public String getPath() {
        return path;
    }

    public int getCurrentVersion() {
        return currentVersion;
    }

    public void setCurrentVersion(int currentVersion) {
        this.currentVersion = currentVersion;
    }

    public int getMaxVersions() {
        return maxVersions;
    }

    public void setMaxVersions(int maxVersions) {
        this.maxVersions = maxVersions;
    }

    public boolean isCasRequired() {
        return casRequired;
    }

    public void setCasRequired(boolean casRequired) {
        this.casRequired = casRequired;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(Instant updatedAt) {
        this.updatedAt = updatedAt;
    }
}
