package io.portcullis.secrets.rest;

import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** The KV v2 API from the outside; runs against the packaged artifact too (SecretsApiIT). */
@QuarkusTest
public class SecretsApiTest {

    @Test
    void writesAndReadsAValue() {
        String path = Fixtures.uniquePrefix() + "/db/password";
        Specs.as(Fixtures.admin()).body(new JsonObject().put("value", "s3cr3t-value").encode()).put("/secrets/v1/" + path)
                .then().statusCode(200).body("path", equalTo(path)).body("version", equalTo(1));
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("value", equalTo("s3cr3t-value")).body("version", equalTo(1));
    }
}
