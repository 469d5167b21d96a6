package io.portcullis.auth.rest;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.portcullis.auth.Accounts;
import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A login storm beyond what the hashing pool holds (here one thread and one queued hash) is refused
 * with 503 and Retry-After, never queued without end; and the refusals are counted and reach the
 * audit trail, so that a credential-stuffing storm does not show only the attempts that were hashed.
 */
@QuarkusTest
@TestProfile(HashingStormTest.OneHashAtATime.class)
class HashingStormTest {

    public static class OneHashAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.passwords.hashing-threads", "1", "portcullis.passwords.hashing-queue", "1");
        }
    }

    @Test
    void aStormBeyondThePoolGets503AndIsCountedAndAudited() throws Exception {
        double before = Management.metric("portcullis_auth_login_total", "outcome", "hashing_busy");
        String prefix = Accounts.uniqueName("storm");
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Response> answers = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> sent = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String username = prefix + "-" + i; // one account each: only the pool can refuse them
                sent.add(clients.submit(() -> {
                    start.await();
                    return Accounts.login(username, Accounts.strongPassword());
                }));
            }
            start.countDown();
            for (Future<Response> f : sent) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        List<Response> refused = answers.stream().filter(r -> r.statusCode() == 503).toList();
        assertTrue(answers.stream().allMatch(r -> r.statusCode() == 401 || r.statusCode() == 503),
                answers.stream().map(Response::statusCode).toList().toString());
        assertTrue(!refused.isEmpty(), "16 logins at once on one thread and one queued place: some are refused");
        refused.get(0).then().spec(Specs.problem(503)).header("Retry-After", equalTo("1"));
        assertTrue(Management.metric("portcullis_auth_login_total", "outcome", "hashing_busy") >= before + refused.size());
        AuditOutbox.await(e -> "auth_attempt".equals(e.getString("type")) && "denied".equals(e.getString("outcome"))
                && "hashing_busy".equals(e.getJsonObject("details").getString("reason"))
                && String.valueOf(e.getJsonObject("details").getString("username")).startsWith(prefix));
    }
}
