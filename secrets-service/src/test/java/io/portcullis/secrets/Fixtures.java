package io.portcullis.secrets;

import java.util.List;
import java.util.UUID;

import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Test data through the API: unique paths, groups with their own policies, tokens. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A fresh path prefix nobody else uses, e.g. {@code t-1a2b3c4d}. */
    public static String uniquePrefix() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String admin() {
        return TestTokens.admin().sign();
    }

    /** A fresh group, with a policy that grants it {@code capabilities} on {@code prefix}. */
    public static String groupWith(String prefix, String... capabilities) {
        String group = "g-" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject policy = new JsonObject().put("groups", new JsonArray().add(group)).put("rules", new JsonArray()
                .add(new JsonObject().put("pathPrefix", prefix).put("capabilities", new JsonArray(List.of(capabilities)))));
        Specs.as(admin()).body(policy.encode()).put("/secrets/policies/p-" + group).then().statusCode(201);
        return group;
    }

    /** A token for a new user in {@code groups}. */
    public static String user(String... groups) {
        return TestTokens.user(UUID.randomUUID().toString(), groups).sign();
    }

    /** Writes {@code value} at {@code path} as admin; returns the version. */
    public static int write(String path, String value) {
        return Specs.as(admin()).body(new JsonObject().put("value", value).encode()).put("/secrets/v1/" + path)
                .then().statusCode(200).extract().path("version");
    }
}
