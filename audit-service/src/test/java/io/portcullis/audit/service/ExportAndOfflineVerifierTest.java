package io.portcullis.audit.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.audit.verify.OfflineVerifier;
import io.portcullis.common.testing.Specs;
import io.quarkus.test.junit.QuarkusTest;

/** An export checked by the offline verifier: intact passes; one byte changed fails. */
@QuarkusTest
class ExportAndOfflineVerifierTest {

    @TempDir
    Path tmp;

    @Test
    void anIntactExportVerifiesOfflineAndAOneByteEditDoesNot() throws Exception {
        ChainIntegrityTest.append(20);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                Specs.as(ChainIntegrityTest.auditor()).get("/audit/checkpoints").jsonPath().getList("checkpoints").size() > 0);
        long head = Specs.as(ChainIntegrityTest.auditor()).get("/audit/checkpoints").jsonPath().getLong("checkpoints[-1].seq");

        String export = Specs.as(ChainIntegrityTest.auditor()).accept("application/x-ndjson")
                .queryParam("toSeq", head).get("/audit/export")
                .then().statusCode(200).header("Cache-Control", "no-store").extract().asString();
        var checkpoints = Specs.as(ChainIntegrityTest.auditor()).get("/audit/checkpoints").then().statusCode(200).extract();
        Path exportFile = tmp.resolve("export.jsonl");
        Path checkpointsFile = tmp.resolve("checkpoints.json");
        Files.writeString(exportFile, export, StandardCharsets.UTF_8);
        Files.writeString(checkpointsFile, checkpoints.asString(), StandardCharsets.UTF_8);
        String publicKey = checkpoints.jsonPath().getString("publicKey");

        OfflineVerifier.Result ok = OfflineVerifier.verify(exportFile, checkpointsFile, publicKey);
        assertTrue(ok.valid(), ok.toString());
        assertEquals(head, ok.lastSeq());
        assertEquals(1, ok.firstSeq());
        assertTrue(ok.checkpointsMatched() >= 1);

        // cut short: the events after a point are gone, and the checkpoint past it says so (the export
        // above may already be incomplete: the shared test database can hold later checkpoints)
        String[] all = export.split("\n");
        Files.writeString(exportFile, String.join("\n", java.util.Arrays.copyOf(all, all.length - 1)) + "\n", StandardCharsets.UTF_8);
        OfflineVerifier.Result cut = OfflineVerifier.verify(exportFile, checkpointsFile, publicKey);
        assertTrue(cut.incomplete(), cut.toString());
        assertTrue(cut.toString().startsWith("INCOMPLETE"), cut.toString());
        assertEquals(head - 1, cut.lastSeq());

        // change one byte of one event's content: "success" -> "successs" is too easy; flip one hex digit of an id
        String[] lines = export.split("\n");
        int victim = lines.length / 2;
        String line = lines[victim];
        int at = line.indexOf("\"id\":\"") + 6;
        char c = line.charAt(at);
        lines[victim] = line.substring(0, at) + (c == 'a' ? 'b' : 'a') + line.substring(at + 1);
        Files.writeString(exportFile, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        OfflineVerifier.Result broken = OfflineVerifier.verify(exportFile, checkpointsFile, publicKey);
        assertFalse(broken.valid());
        assertEquals(victim + 1, broken.brokenSeq(), broken.toString());
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefused() throws Exception {
        ChainIntegrityTest.append(3);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                Specs.as(ChainIntegrityTest.auditor()).get("/audit/checkpoints").jsonPath().getList("checkpoints").size() > 0);
        long head = Specs.as(ChainIntegrityTest.auditor()).get("/audit/checkpoints").jsonPath().getLong("checkpoints[-1].seq");
        Path exportFile = tmp.resolve("export.jsonl");
        Path checkpointsFile = tmp.resolve("checkpoints.json");
        Files.writeString(exportFile, Specs.as(ChainIntegrityTest.auditor()).accept("application/x-ndjson")
                .queryParam("toSeq", head).get("/audit/export").then().statusCode(200).extract().asString());
        io.restassured.response.Response checkpoints = Specs.as(ChainIntegrityTest.auditor()).get("/audit/checkpoints");
        checkpoints.then().statusCode(200);
        Files.writeString(checkpointsFile, checkpoints.asString());
        // the service's own key accepts this very copy
        OfflineVerifier.Result genuine = OfflineVerifier.verify(exportFile, checkpointsFile,
                checkpoints.jsonPath().getString("publicKey"));
        assertTrue(genuine.valid(), genuine.toString());
        var other = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String otherPem = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(other.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        OfflineVerifier.Result refused = OfflineVerifier.verify(exportFile, checkpointsFile, otherPem);
        assertFalse(refused.valid());
        assertTrue(refused.reason().contains("checkpoint"), refused.toString());
        assertTrue(refused.brokenSeq() != null && refused.brokenSeq() <= head, refused.toString());
    }
}
