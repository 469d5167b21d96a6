package io.portcullis.auth.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A person who logs in. The password is only ever held as a {@link PasswordHash} PHC string. */
@Entity
@Table(name = "app_user")
public class User {

    public static final String ACTIVE = "active";
    public static final String DISABLED = "disabled";

    @Id
    private UUID id;

    @Column(nullable = false, unique = true)
    private String username;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]", nullable = false)
    private String[] groups;

    @Column(nullable = false)
    private String status;

    @Column(name = "password_hash", nullable = false)
    private String passwordHash;

    @Column(name = "password_changed_at", nullable = false)
    private Instant passwordChangedAt;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private int version;

    protected User() {
    }

    public static User create(String username, List<String> groups, String passwordHash) {
        User u = new User();
        Instant now = Instant.now();
        u.id = UUID.randomUUID();
        u.username = username;
        u.groups = groups.toArray(String[]::new);
        u.status = ACTIVE;
        u.passwordHash = passwordHash;
        u.passwordChangedAt = now;
        u.createdAt = now;
        u.updatedAt = now;
        return u;
    }

    public UUID id() {
        return id;
    }

    public String username() {
        return username;
    }

    public List<String> groups() {
        return List.copyOf(Arrays.asList(groups));
    }

    public boolean isActive() {
        return ACTIVE.equals(status);
    }

    public String status() {
        return status;
    }

    public String passwordHash() {
        return passwordHash;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public Instant passwordChangedAt() {
        return passwordChangedAt;
    }

    public void changeGroups(List<String> newGroups) {
        this.groups = newGroups.toArray(String[]::new);
        this.updatedAt = Instant.now();
    }

    public void changePasswordHash(String newHash, boolean byUser) {
        this.passwordHash = newHash;
        if (byUser) {
            this.passwordChangedAt = Instant.now();
        }
        this.updatedAt = Instant.now();
    }

    public void disable() {
        this.status = DISABLED;
        this.updatedAt = Instant.now();
    }

    public void enable() {
        this.status = ACTIVE;
        this.updatedAt = Instant.now();
    }
}
