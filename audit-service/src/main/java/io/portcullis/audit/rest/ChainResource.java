package io.portcullis.audit.rest;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;


import io.portcullis.audit.domain.ChainedEvent;
import io.portcullis.audit.domain.ExportLine;
import io.portcullis.audit.repository.CheckpointRepository;
import io.portcullis.audit.repository.EventRepository;
import io.portcullis.audit.service.CheckpointSigner;
import io.portcullis.audit.service.VerifyService;
import io.portcullis.common.validation.ValidationException;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;
import io.smallrye.mutiny.Uni;

/** Proving the log: verification, signed checkpoints, and export for offline checks. */
@Path("/audit")
@RolesAllowed("auditor")
public class ChainResource {

    public record CheckpointView(long seq, String hash, String signedAt, String keyId, String algorithm, String signature) {
    }

    public record CheckpointsPage(String algorithm, String keyId, String publicKey, List<CheckpointView> checkpoints) {
    }

    private static final int EXPORT_PAGE = 2_000;

    private final VerifyService verifier;
    private final CheckpointRepository checkpoints;
    private final CheckpointSigner signer;
    private final EventRepository events;

    public ChainResource(VerifyService verifier, CheckpointRepository checkpoints, CheckpointSigner signer,
            EventRepository events) {
        this.verifier = verifier;
        this.checkpoints = checkpoints;
        this.signer = signer;
        this.events = events;
    }

    @GET
    @Path("/verify")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<VerifyService.Verdict> verify() {
        return verifier.verify();
    }

    @GET
    @Path("/checkpoints")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<CheckpointsPage> checkpoints(@QueryParam("afterSeq") @DefaultValue("0") long afterSeq,
            @QueryParam("limit") @DefaultValue("1000") int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new ValidationException("limit", "limit must be between 1 and 10000");
        }
        return checkpoints.list(afterSeq, limit).map(list -> new CheckpointsPage(CheckpointSigner.ALGORITHM, signer.keyId(),
                signer.publicKeyPem(), list.stream().map(c -> new CheckpointView(c.seq(), ChainedEvent.hex(c.hash()),
                        ChainedEvent.timestamp(c.signedAt()), c.keyId(), c.algorithm(),
                        Base64.getEncoder().encodeToString(c.signature()))).toList()));
    }

    /** JSON Lines, one event per line, in seq order, streamed page by page. */
    @GET
    @Path("/export")
    @Produces("application/x-ndjson")
    public Multi<Buffer> export(@QueryParam("fromSeq") @DefaultValue("1") long fromSeq,
            @QueryParam("toSeq") @DefaultValue("9223372036854775807") long toSeq) {
        if (fromSeq < 1 || toSeq < fromSeq) {
            throw new ValidationException("fromSeq", "fromSeq must be at least 1 and not after toSeq");
        }
        return Multi.createBy().repeating()
                .uni(() -> new long[] { fromSeq - 1 }, cursor -> events.range(cursor[0], toSeq, EXPORT_PAGE).invoke(rows -> {
                    if (!rows.isEmpty()) {
                        cursor[0] = rows.get(rows.size() - 1).seq();
                    }
                }))
                .whilst(rows -> rows.size() == EXPORT_PAGE)
                .onItem().transformToIterable(rows -> rows.stream().map(ce -> Buffer.buffer(ExportLine.of(ce))).toList());
    }

}
