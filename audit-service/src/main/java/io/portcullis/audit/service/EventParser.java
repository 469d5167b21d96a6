package io.portcullis.audit.service;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.audit.Redactor;
import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;

/**
 * Turns an ingest body (one event or an array of them) into events, refusing the whole request at
 * the first field that breaks the schema (DESIGN.md, Audit events): the producer learns which event
 * and which field, by path ({@code events[3].type}). Every accepted event is redacted once more.
 */
public final class EventParser {

    static final Pattern ACTOR = Pattern.compile("^(anonymous|user:[A-Za-z0-9._@-]{1,128}|svc:[a-z0-9][a-z0-9-]{0,63}|key:[A-Za-z0-9]{1,64})$");
    static final Pattern SOURCE_IP = Pattern.compile("^[0-9A-Fa-f:.]{2,64}$");
    static final Pattern SERVICE = Pattern.compile("^[a-z0-9][a-z0-9-]{0,63}$");
    static final Pattern REQUEST_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
    static final Pattern DETAIL_KEY = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");
    static final int MAX_DETAILS = 32;
    static final int MAX_RAW_VALUE = 8192;
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private EventParser() {
    }

    public static List<AuditEvent> parse(JsonNode body, int maxBatch) {
        if (body == null || body.isNull()) {
            throw new ValidationException("body", "a JSON event or an array of events is required");
        }
        if (!body.isArray()) {
            return List.of(event(body, ""));
        }
        if (body.isEmpty()) {
            throw new ValidationException("events", "at least one event is required");
        }
        if (body.size() > maxBatch) {
            throw new ProblemException(413, "batch-too-large", "Batch too large",
                    "At most " + maxBatch + " events per request.");
        }
        List<AuditEvent> events = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            events.add(event(body.get(i), "events[" + i + "]."));
        }
        return events;
    }

    private static AuditEvent event(JsonNode n, String at) {
        if (!n.isObject()) {
            throw new ValidationException(at.isEmpty() ? "body" : at.substring(0, at.length() - 1), "must be a JSON object");
        }
        UUID id;
        try {
            id = UUID.fromString(text(n, at, "id", true, 36));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(at + "id", at + "id must be a UUID");
        }
        String type = text(n, at, "type", true, 64);
        if (!AuditEvent.TYPES.contains(type)) {
            throw new ValidationException(at + "type", at + "type must be one of " + new java.util.TreeSet<>(AuditEvent.TYPES));
        }
        String outcome = text(n, at, "outcome", true, 16);
        if (!AuditEvent.OUTCOMES.contains(outcome)) {
            throw new ValidationException(at + "outcome", at + "outcome must be success, failure or denied");
        }
        String actor = matching(n, at, "actor", true, ACTOR, "anonymous, user:<id>, svc:<name> or key:<keyId>");
        String sourceIp = matching(n, at, "sourceIp", false, SOURCE_IP, "an IPv4 or IPv6 address");
        String service = matching(n, at, "service", true, SERVICE, "a service name ([a-z0-9-], at most 64)");
        String requestId = matching(n, at, "requestId", false, REQUEST_ID, "[A-Za-z0-9._:-], at most 128");
        Instant occurredAt;
        try {
            occurredAt = Instant.parse(text(n, at, "occurredAt", true, 40));
        } catch (DateTimeParseException e) {
            throw new ValidationException(at + "occurredAt", at + "occurredAt must be an ISO-8601 UTC instant");
        }
        if (occurredAt.isAfter(Instant.now().plus(MAX_CLOCK_SKEW))) {
            throw new ValidationException(at + "occurredAt", at + "occurredAt is in the future");
        }
        if (occurredAt.isBefore(Instant.EPOCH)) {
            // PostgreSQL would refuse the year -5000 inside the shared append, failing its neighbours too
            throw new ValidationException(at + "occurredAt", at + "occurredAt is before 1970");
        }
        Map<String, String> details = details(n.get("details"), at);
        AuditEvent e = new AuditEvent(id, type, outcome, actor, sourceIp, service, requestId, occurredAt, details);
        return Redactor.event(e);
    }

    private static Map<String, String> details(JsonNode d, String at) {
        Map<String, String> out = new LinkedHashMap<>();
        if (d == null || d.isNull()) {
            return out;
        }
        if (!d.isObject()) {
            throw new ValidationException(at + "details", at + "details must be a flat JSON object");
        }
        if (d.size() > MAX_DETAILS) {
            throw new ValidationException(at + "details", at + "details may have at most " + MAX_DETAILS + " entries");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = d.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            if (!DETAIL_KEY.matcher(key).matches()) {
                throw new ValidationException(at + "details", at + "details keys may contain only [A-Za-z0-9_.-], at most 64");
            }
            JsonNode v = f.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!v.isValueNode()) {
                throw new ValidationException(at + "details." + key, at + "details." + key + " must be a scalar");
            }
            String text = v.asText();
            if (text.length() > MAX_RAW_VALUE) {
                throw new ValidationException(at + "details." + key, at + "details." + key + " is too long");
            }
            out.put(key, text);
        }
        return out;
    }

    private static String matching(JsonNode n, String at, String field, boolean required, Pattern p, String what) {
        String v = text(n, at, field, required, 256);
        if (v != null && !p.matcher(v).matches()) {
            throw new ValidationException(at + field, at + field + " must be " + what);
        }
        return v;
    }

    private static String text(JsonNode n, String at, String field, boolean required, int max) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ValidationException(at + field, at + field + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new ValidationException(at + field, at + field + " must be a string");
        }
        String s = v.asText();
        if (s.length() > max) {
            throw new ValidationException(at + field, at + field + " must be at most " + max + " characters");
        }
        return s;
    }
}
