package io.portcullis.secrets.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * What the database knows of a key-encryption key: its id and state, never the key. States:
 * {@code active} (new data keys are wrapped under it; exactly one), {@code available} (can still
 * unwrap), {@code retired} (wraps nothing, and never will again).
 */
@Entity
@Table(name = "secret_kek")
public class Kek {

    public static final String ACTIVE = "active";
    public static final String AVAILABLE = "available";
    public static final String RETIRED = "retired";

    @Id
    private String id;

    @Column(nullable = false)
    private String state;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "activated_at")
    private Instant activatedAt;

    @Column(name = "retired_at")
    private Instant retiredAt;

    protected Kek() {
    }

    public String getId() {
        return id;
    }

    public String getState() {
        return state;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getActivatedAt() {
        return activatedAt;
    }

    public Instant getRetiredAt() {
        return retiredAt;
    }

    public void demote() {
        state = AVAILABLE;
    }

    public void activate(Instant at) {
        state = ACTIVE;
        activatedAt = at;
    }

    public void retire(Instant at) {
        state = RETIRED;
        retiredAt = at;
    }
}
