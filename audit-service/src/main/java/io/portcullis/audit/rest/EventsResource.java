package io.portcullis.audit.rest;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import io.portcullis.audit.config.AuditLogConfig;
import io.portcullis.audit.domain.ChainedEvent;
import io.portcullis.audit.domain.ExportLine;
import io.portcullis.audit.repository.EventRepository;
import io.portcullis.audit.service.ChainWriter;
import io.portcullis.audit.service.EventParser;
import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.validation.ValidationException;
import io.smallrye.mutiny.Uni;

@Path("/audit/events")
@Produces(MediaType.APPLICATION_JSON)
public class EventsResource {

    public record IngestResponse(int accepted, int duplicates) {
    }

    public record EventsPage(List<Map<String, Object>> events, Long nextAfterSeq) {
    }

    private final ChainWriter writer;
    private final org.eclipse.microprofile.jwt.JsonWebToken jwt;
    private final EventRepository repository;
    private final int maxBatch;

    public EventsResource(ChainWriter writer, EventRepository repository, AuditLogConfig config,
            org.eclipse.microprofile.jwt.JsonWebToken jwt) {
        this.writer = writer;
        this.jwt = jwt;
        this.repository = repository;
        this.maxBatch = config.maxBatch();
    }

    /** One event or an array of up to 1,000; idempotent on each event's {@code id}. */
    @POST
    @RolesAllowed("service")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> ingest(JsonNode body) {
        List<AuditEvent> events = EventParser.parse(body, maxBatch);
        // a service speaks for itself only: svc:exec-service cannot chain an event as auth-service's
        String sub = jwt.getSubject();
        String caller = sub != null && sub.startsWith("svc:") ? sub.substring(4) : null;
        for (AuditEvent e : events) {
            if (!e.service().equals(caller)) {
                throw new jakarta.ws.rs.ForbiddenException();
            }
        }
        return writer.append(events).map(r -> Response.accepted(new IngestResponse(r.accepted(), r.duplicates())).build());
    }

    /** Events in seq order, filtered, paged by {@code afterSeq}. */
    @GET
    @RolesAllowed("auditor")
    public Uni<EventsPage> list(@QueryParam("type") String type, @QueryParam("actor") String actor,
            @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("afterSeq") @DefaultValue("0") long afterSeq, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (type != null && !AuditEvent.TYPES.contains(type)) {
            throw new ValidationException("type", "type must be one of the audit event types");
        }
        if (actor != null && actor.length() > 200) {
            throw new ValidationException("actor", "actor must be at most 200 characters");
        }
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("limit", "limit must be between 1 and 1000");
        }
        if (afterSeq < 0) {
            throw new ValidationException("afterSeq", "afterSeq must not be negative");
        }
        EventRepository.Query q = new EventRepository.Query(type, actor, instant("from", from), instant("to", to), afterSeq, limit);
        return repository.query(q).map(rows -> new EventsPage(
                rows.stream().map(ce -> ExportLine.fields(ce, true)).toList(),
                rows.size() == limit ? rows.get(rows.size() - 1).seq() : null));
    }

    static Instant instant(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ValidationException(field, field + " must be an ISO-8601 UTC instant");
        }
    }

}
