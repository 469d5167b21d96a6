package io.portcullis.audit.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.audit.domain.ChainedEvent;
import io.portcullis.audit.domain.Checkpoint;
import io.portcullis.audit.domain.ExportLine;
import io.portcullis.audit.service.CheckpointSigner;

/**
 * Checks a copy of the audit log without the service or its database: an export
 * ({@code GET /audit/export}, JSON Lines), the checkpoints ({@code GET /audit/checkpoints}, JSON) and
 * the public key you trust (PEM, obtained out of band: the checkpoints' own copy proves nothing).
 *
 * <pre>
 * java -cp "audit-service/target/quarkus-app/app/*:audit-service/target/quarkus-app/lib/main/*" \
 *     io.portcullis.audit.verify.OfflineVerifier export.jsonl checkpoints.json audit-signing.pub.pem
 * </pre>
 *
 * It recomputes every hash from the export's first {@code prevHash}, checks each link, and checks
 * every checkpoint that falls inside the export: its hash must equal the event's, and its Ed25519
 * signature must be valid under the given key. An export that starts at seq 1 is anchored at the
 * genesis hash; a partial export is anchored by the checkpoints it contains. It prints one line
 * and exits 0 when the copy is intact, 1 when it is not (naming the first broken seq), 2 on bad usage.
 */
public final class OfflineVerifier {

    private OfflineVerifier() {
    }

    /**
     * The verdict. {@code signedTo}: the highest seq a signed checkpoint covers; beyond {@code lastSeq},
     * the export ends before the log did (cut short, or exported as a range), and it says so.
     */
    public record Result(boolean valid, long events, long firstSeq, long lastSeq, int checkpointsMatched, Long brokenSeq,
            String reason, long signedTo) {

        Result(boolean valid, long events, long firstSeq, long lastSeq, int checkpointsMatched, Long brokenSeq, String reason) {
            this(valid, events, firstSeq, lastSeq, checkpointsMatched, brokenSeq, reason, 0);
        }

        /** Intact, but a signed checkpoint shows events after the export's last one. */
        public boolean incomplete() {
            return valid && signedTo > lastSeq;
        }

        @Override
        public String toString() {
            if (!valid) {
                return String.format("BROKEN at seq %d: %s", brokenSeq, reason);
            }
            String intact = String.format("%d events (seq %d..%d) intact; %d signed checkpoint(s) matched", events, firstSeq,
                    lastSeq, checkpointsMatched);
            return incomplete() ? String.format("INCOMPLETE: %s, but a signed checkpoint covers seq %d: events after seq %d "
                    + "are not in this export", intact, signedTo, lastSeq) : "OK: " + intact;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: OfflineVerifier <export.jsonl> <checkpoints.json> <public-key.pem>");
            System.exit(2);
        }
        Result r = verify(Path.of(args[0]), Path.of(args[1]), Files.readString(Path.of(args[2])));
        System.out.println(r);
        System.exit(!r.valid() ? 1 : r.incomplete() ? 3 : 0);
    }

    public static Result verify(Path export, Path checkpointsJson, String publicKeyPem) throws IOException {
        ObjectMapper json = new ObjectMapper();
        PublicKey key = CheckpointSigner.publicFromPem(publicKeyPem);
        Map<Long, Checkpoint> checkpoints = new HashMap<>();
        JsonNode cps = json.readTree(checkpointsJson.toFile()).get("checkpoints");
        if (cps != null) {
            for (JsonNode c : cps) {
                checkpoints.put(c.get("seq").asLong(), new Checkpoint(c.get("seq").asLong(),
                        ChainedEvent.unhex(c.get("hash").asText()), Instant.parse(c.get("signedAt").asText()),
                        c.get("keyId").asText(), c.get("algorithm").asText(),
                        java.util.Base64.getDecoder().decode(c.get("signature").asText())));
            }
        }
        long count = 0;
        long first = -1;
        long expected = -1;
        byte[] prev = null;
        int matched = 0;
        try (BufferedReader in = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                ChainedEvent ce;
                try {
                    ce = ExportLine.parse(line, json);
                } catch (IllegalArgumentException e) {
                    return new Result(false, count, first, expected - 1, matched, expected < 0 ? 1 : expected,
                            "line " + (count + 1) + " is not a valid export line");
                }
                if (first < 0) {
                    first = ce.seq();
                    expected = ce.seq();
                    prev = ce.seq() == 1 ? ChainedEvent.GENESIS : ce.prevHash();
                }
                if (ce.seq() != expected) {
                    return new Result(false, count, first, expected - 1, matched, expected, "seq " + expected + " is missing or out of place");
                }
                if (!Arrays.equals(ce.prevHash(), prev)) {
                    return new Result(false, count, first, expected - 1, matched, ce.seq(), "prevHash does not link to the previous event");
                }
                if (!ce.hashMatches(prev)) {
                    return new Result(false, count, first, expected - 1, matched, ce.seq(), "the event's content does not match its hash");
                }
                Checkpoint cp = checkpoints.get(ce.seq());
                if (cp != null) {
                    if (!Arrays.equals(cp.hash(), ce.hash()) || !CheckpointSigner.verify(key, cp)) {
                        return new Result(false, count, first, expected - 1, matched, ce.seq(),
                                "the signed checkpoint does not match this copy");
                    }
                    matched++;
                }
                prev = ce.hash();
                expected++;
                count++;
            }
        }
        if (count == 0) {
            return new Result(false, 0, -1, -1, 0, 1L, "the export is empty");
        }
        long last = expected - 1;
        boolean anchored = first == 1 || matched > 0;
        if (!anchored) {
            return new Result(false, count, first, last, matched, first, "a partial export needs a signed checkpoint inside it");
        }
        long signedTo = checkpoints.isEmpty() ? 0 : checkpoints.keySet().stream().mapToLong(Long::longValue).max().getAsLong();
        return new Result(true, count, first, last, matched, null, null, signedTo);
    }
}
