package io.portcullis.audit.domain;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.common.audit.AuditEvent;

/**
 * One line of {@code GET /audit/export} (JSON Lines): the canonical JSON of the record with its
 * {@code prevHash} and {@code hash} (lower-case hex) added, keys sorted. Removing those two members
 * and canonicalising again gives exactly the bytes the hash covers.
 */
public final class ExportLine {

    private ExportLine() {
    }

    public static String of(ChainedEvent ce) {
        return CanonicalJson.of(fields(ce, true));
    }

    /** The fields of an event as a client sees them ({@code GET /audit/events}), hashes in hex. */
    public static Map<String, Object> fields(ChainedEvent ce, boolean withHashes) {
        AuditEvent e = ce.event();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", ce.seq());
        m.put("id", e.id().toString());
        m.put("type", e.type());
        m.put("outcome", e.outcome());
        m.put("actor", e.actor());
        m.put("sourceIp", e.sourceIp());
        m.put("service", e.service());
        m.put("requestId", e.requestId());
        m.put("occurredAt", ChainedEvent.timestamp(e.occurredAt()));
        m.put("receivedAt", ChainedEvent.timestamp(ce.receivedAt()));
        m.put("details", new LinkedHashMap<String, Object>(e.details()));
        if (withHashes) {
            m.put("prevHash", ChainedEvent.hex(ce.prevHash()));
            m.put("hash", ChainedEvent.hex(ce.hash()));
        }
        return m;
    }

    /** Reads a line back (used by the offline verifier). */
    public static ChainedEvent parse(String line, ObjectMapper json) {
        try {
            JsonNode n = json.readTree(line);
            Map<String, String> details = new LinkedHashMap<>();
            JsonNode d = n.get("details");
            if (d != null && d.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> f = it.next();
                    details.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText());
                }
            }
            AuditEvent e = new AuditEvent(UUID.fromString(n.get("id").asText()), text(n, "type"), text(n, "outcome"),
                    text(n, "actor"), text(n, "sourceIp"), text(n, "service"), text(n, "requestId"),
                    Instant.parse(n.get("occurredAt").asText()), details);
            return new ChainedEvent(n.get("seq").asLong(), e, Instant.parse(n.get("receivedAt").asText()),
                    ChainedEvent.unhex(n.get("prevHash").asText()), ChainedEvent.unhex(n.get("hash").asText()));
        } catch (Exception e) {
            throw new IllegalArgumentException("not an export line: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
