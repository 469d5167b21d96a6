package io.portcullis.secrets.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A named policy: its rules (JSON, see {@code PolicyCodec}) apply to every member of its groups. */
@Entity
@Table(name = "secret_policy")
public class Policy {

    @Id
    private String name;

    @Column(nullable = false)
    private String[] groups;

    /** JSON array of rules; written and read only through {@code PolicyCodec}. */
    @Column(nullable = false)
    private String rules;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Column(name = "updated_by")
    private String updatedBy;

    protected Policy() {
    }

    public Policy(String name, Instant createdAt) {
        this.name = name;
        this.createdAt = createdAt;
    }

    public void replace(String[] groups, String rules, Instant at, String by) {
        this.groups = groups.clone();
        this.rules = rules;
        this.updatedAt = at;
        this.updatedBy = by;
    }

    public String getName() {
        return name;
    }

    public String[] getGroups() {
        return groups.clone();
    }

    public String getRules() {
        return rules;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public String getUpdatedBy() {
        return updatedBy;
    }
}
