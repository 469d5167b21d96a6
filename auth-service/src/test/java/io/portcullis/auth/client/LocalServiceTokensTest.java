package io.portcullis.auth.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** auth-service's own service token is signed once and reused until shortly before it expires. */
@QuarkusTest
class LocalServiceTokensTest {

    @Inject
    LocalServiceTokens tokens;

    private static JsonObject claims(String jwt) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void signsOnceAndReusesTheTokenUntilItIsInvalidated() {
        tokens.invalidate();
        String first = tokens.token().await().indefinitely();
        assertEquals("svc:auth-service", claims(first).getString("sub"));
        assertEquals(first, tokens.token().await().indefinitely(), "a second call must not sign a new token");

        tokens.invalidate();
        String fresh = tokens.token().await().indefinitely();
        assertNotEquals(claims(first).getString("jti"), claims(fresh).getString("jti"), "invalidate() must force a new token");
        assertEquals(fresh, tokens.token().await().indefinitely());
    }
}
