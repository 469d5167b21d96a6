package io.portcullis.auth.rest;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.portcullis.auth.Accounts;
import io.portcullis.auth.Accounts.Account;
import io.portcullis.common.testing.Specs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Sessions end on their own: after the idle timeout without use, and at the absolute cap however
 * busy (here 3 s and 8 s instead of 24 hours and 7 days). Seen from the outside, as a client sees it.
 */
@QuarkusTest
@TestProfile(SessionExpiryTest.ShortSessions.class)
class SessionExpiryTest {

    public static class ShortSessions implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.sessions.idle-timeout", "PT3S", "portcullis.sessions.absolute-timeout", "PT8S");
        }
    }

    @Test
    void anIdleSessionEnds() throws Exception {
        Account a = Accounts.create();
        String[] s = Accounts.session(a);
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().statusCode(200);
        Thread.sleep(Duration.ofSeconds(4).toMillis());
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().spec(Specs.problem(401));
        Specs.json().header("X-Session-Token", s[0]).post("/auth/session/refresh").then().spec(Specs.problem(401));
    }

    @Test
    void useKeepsASessionAliveButNotPastItsAbsoluteEnd() throws Exception {
        Account a = Accounts.create();
        String[] s = Accounts.session(a);
        long start = System.nanoTime(); // the session began before this: its absolute end is at most 8 s on
        // used every second: it outlives the idle timeout twice over...
        while (System.nanoTime() - start < Duration.ofSeconds(6).toNanos()) {
            Specs.json().header("X-Session-Token", s[0]).post("/auth/session/refresh").then().statusCode(200);
            Thread.sleep(1000);
        }
        // ...and still ends at the absolute cap, used a second ago or not
        while (System.nanoTime() - start < Duration.ofSeconds(9).toNanos()) {
            Thread.sleep(500);
            Specs.json().header("X-Session-Token", s[0]).get("/auth/session");
        }
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().spec(Specs.problem(401));
        Specs.json().header("X-Session-Token", s[0]).post("/auth/session/refresh").then().spec(Specs.problem(401));
    }
}
