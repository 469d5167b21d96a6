package io.portcullis.secrets.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

/**
 * One version of a path: its sealed value and wrapped data key ({@link Envelope}), and its state. This
 * entity serves the changes of state (soft delete, undelete, destroy); versions are created by
 * {@code SecretWriteRepository} in one statement.
 * Soft-deleted versions keep their data (undelete restores them); destroyed ones keep none.
 * Updates write only the columns that changed, so a soft delete never writes back a data key that a
 * concurrent rewrap has just replaced.
 */
@Entity
@DynamicUpdate
@Table(name = "secret_version")
public class SecretVersion {

    /** From the column's default: versions are inserted by {@code SecretWriteRepository}, never through this entity. */
    @Id
    private Long id;

    @Column(nullable = false)
    private String path;

    @Column(nullable = false)
    private int version;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "created_by")
    private String createdBy;

    @Column(name = "deleted_at")
    private Instant deletedAt;

    @Column(name = "destroyed_at")
    private Instant destroyedAt;

    @Column(name = "kek_id")
    private String kekId;

    @Column(name = "dek_nonce")
    private byte[] dekNonce;

    @Column(name = "wrapped_dek")
    private byte[] wrappedDek;

    private byte[] nonce;

    private byte[] ciphertext;

    protected SecretVersion() {
    }


    public int getVersion() {
        return version;
    }

    public String getPath() {
        return path;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getDeletedAt() {
        return deletedAt;
    }

    public Instant getDestroyedAt() {
        return destroyedAt;
    }

    public boolean isDestroyed() {
        return destroyedAt != null;
    }

    public void softDelete(Instant at) {
        if (deletedAt == null) {
            deletedAt = at;
        }
    }

    public void undelete() {
        deletedAt = null;
    }

    /** Erases the value and its data key for good (the row stays, as a record that it existed). */
    public void destroy(Instant at) {
        destroyedAt = at;
        kekId = null;
        dekNonce = null;
        wrappedDek = null;
        nonce = null;
        ciphertext = null;
    }

    @Override
    public String toString() {
        return "SecretVersion[path=" + path + ", version=" + version + "]";
    }
}
