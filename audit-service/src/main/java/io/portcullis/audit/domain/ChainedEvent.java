package io.portcullis.audit.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.portcullis.common.audit.AuditEvent;

/**
 * An event as the log holds it: the producer's event plus its place in the chain.
 *
 * <p>{@code hash = SHA-256(prevHash || UTF-8(canonical JSON of the record))}, where the record is
 * every field below except {@code prevHash} and {@code hash} themselves (see {@link #canonical()}),
 * and the first event's {@code prevHash} is 32 zero bytes. Timestamps are ISO-8601 UTC with at most
 * microsecond precision (what PostgreSQL keeps).
 */
public record ChainedEvent(long seq, AuditEvent event, Instant receivedAt, byte[] prevHash, byte[] hash) {

    public static final byte[] GENESIS = new byte[32];
    private static final HexFormat HEX = HexFormat.of();

    /** The event appended after {@code prevHash} at {@code seq}, with its hash computed. */
    public static ChainedEvent append(long seq, AuditEvent event, Instant receivedAt, byte[] prevHash) {
        return new ChainedEvent(seq, event, receivedAt, prevHash, hash(prevHash, canonical(seq, event, receivedAt)));
    }

    public String canonical() {
        return canonical(seq, event, receivedAt);
    }

    /** Whether the stored hash is the hash of the stored content after {@code expectedPrev}. */
    public boolean hashMatches(byte[] expectedPrev) {
        return MessageDigest.isEqual(hash, hash(expectedPrev, canonical()));
    }

    public static String canonical(long seq, AuditEvent e, Instant receivedAt) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("seq", seq);
        record.put("id", e.id().toString());
        record.put("type", e.type());
        record.put("outcome", e.outcome());
        record.put("actor", e.actor());
        record.put("sourceIp", e.sourceIp());
        record.put("service", e.service());
        record.put("requestId", e.requestId());
        record.put("occurredAt", timestamp(e.occurredAt()));
        record.put("receivedAt", timestamp(receivedAt));
        record.put("details", new LinkedHashMap<String, Object>(e.details()));
        return CanonicalJson.of(record);
    }

    public static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    public static byte[] hash(byte[] prevHash, String canonical) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash);
            sha.update(canonical.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] unhex(String hex) {
        return HEX.parseHex(hex);
    }

    public UUID id() {
        return event.id();
    }
}
