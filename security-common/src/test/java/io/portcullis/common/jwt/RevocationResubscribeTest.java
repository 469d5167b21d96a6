package io.portcullis.common.jwt;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The revocation channel's connection dies (Redis restarted, failed over, or the connection was
 * killed): the service subscribes again within about a second and reloads the list, so a session
 * ended while nobody listened is refused within seconds, not at the next periodic reload (here an
 * hour away), and later announcements arrive through the channel again.
 */
@QuarkusTest
@TestProfile(RevocationResubscribeTest.RarelyReloaded.class)
class RevocationResubscribeTest {

    public static class RarelyReloaded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.revocation.resync-interval", "PT1H", "portcullis.revocation.max-staleness", "PT2H");
        }
    }

    @Test
    void aKilledSubscriptionIsRestoredAndWhatItMissedIsLoaded() {
        String missed = "s-" + UUID.randomUUID();
        String token = TestTokens.admin().claim("sid", missed).sign();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> Specs.as(token).get("/probe/admin").statusCode() == 200);

        // the channel's connection dies; the session ends while this service is not listening
        AuditOutbox.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub"));
        long until = System.currentTimeMillis() + 120_000;
        AuditOutbox.send(Request.cmd(Command.ZADD).arg(io.portcullis.common.testing.Revocations.key()).arg(until).arg(missed));
        AuditOutbox.send(Request.cmd(Command.PUBLISH).arg(io.portcullis.common.testing.Revocations.channel()).arg(missed + "|" + until));

        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> Specs.as(token).get("/probe/admin").statusCode() == 401);
        Specs.as(token).get("/probe/admin").then().spec(Specs.problem(401));

        // and the channel carries announcements again: one through pub/sub alone is heard within a second
        String later = "s-" + UUID.randomUUID();
        String other = TestTokens.admin().claim("sid", later).sign();
        Specs.as(other).get("/probe/admin").then().statusCode(200);
        AuditOutbox.send(Request.cmd(Command.PUBLISH).arg(io.portcullis.common.testing.Revocations.channel()).arg(later + "|" + until));
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> Specs.as(other).get("/probe/admin").statusCode() == 401);
    }
}
