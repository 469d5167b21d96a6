package io.portcullis.gateway;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.restassured.specification.RequestSpecification;

/** API keys made through the gateway's own admin API (bootstrap key + admin JWT). */
public final class Keys {

    public record Key(String keyId, String apiKey) {
    }

    private Keys() {
    }

    public static RequestSpecification admin() {
        return Specs.as(TestTokens.admin().sign()).header("X-API-Key", GatewayTestResource.bootstrapKey());
    }

    public static Key create(List<String> scopes, Integer requests, Integer windowSeconds, String expiresAt) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "test " + UUID.randomUUID().toString().substring(0, 8));
        body.put("scopes", scopes);
        if (requests != null) {
            body.put("rateLimit", Map.of("requests", requests, "windowSeconds", windowSeconds));
        }
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt);
        }
        var json = admin().body(body).post("/gateway/keys").then().statusCode(201).extract().jsonPath();
        return new Key(json.getString("keyId"), json.getString("apiKey"));
    }

    public static Key create(String... scopes) {
        return create(List.of(scopes), 100_000, 60, null);
    }
}
