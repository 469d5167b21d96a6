package io.portcullis.secrets.rest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.portcullis.secrets.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Policies from the outside: deny by default, grants by capability and prefix, changes effective at
 * once, admins with no bypass, and every decision audited with path and version, never the value.
 * Runs against the packaged artifact too (AccessControlIT).
 */
@QuarkusTest
public class AccessControlTest {

    static JsonObject value(String v) {
        return new JsonObject().put("value", v);
    }

    static JsonObject policy(String group, String prefix, String... capabilities) {
        return new JsonObject().put("groups", new JsonArray().add(group)).put("rules", new JsonArray()
                .add(new JsonObject().put("pathPrefix", prefix).put("capabilities", new JsonArray(java.util.List.of(capabilities)))));
    }

    @Test
    void deniesEverythingWithoutAPolicy() {
        String path = Fixtures.uniquePrefix() + "/locked";
        Fixtures.write(path, "locked-value");
        String stranger = Fixtures.user("user");
        Specs.as(stranger).get("/secrets/v1/" + path).then().spec(Specs.problem(403))
                .body(not(containsString("locked-value")));
        Specs.as(stranger).body(value("x").encode()).put("/secrets/v1/" + path).then().spec(Specs.problem(403));
        Specs.as(stranger).get("/secrets/v1/" + path + "/metadata").then().spec(Specs.problem(403));
        Specs.as(stranger).delete("/secrets/v1/" + path).then().spec(Specs.problem(403));
        Specs.as(stranger).body("{\"versions\":[1]}").post("/secrets/v1/" + path + "/destroy").then().spec(Specs.problem(403));
        Specs.as(stranger).body("{}").post("/secrets/v1/" + path + "/share").then().spec(Specs.problem(403));
        Specs.as(stranger).queryParam("prefix", path).get("/secrets/v1").then().spec(Specs.problem(403));
        // an unknown path answers the same: a refusal says nothing of what exists
        Specs.as(stranger).get("/secrets/v1/" + path + "-not-there").then().spec(Specs.problem(403));
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().body("value", equalTo("locked-value"));
    }

    @Test
    void refusesCallersWithoutAValidToken() {
        String path = Fixtures.uniquePrefix() + "/auth";
        Specs.json().get("/secrets/v1/" + path).then().spec(Specs.problem(401));
        Specs.as(TestTokens.admin().signWithUntrustedKey()).get("/secrets/v1/" + path).then().spec(Specs.problem(401));
        Specs.as(TestTokens.admin().expiresAt(Instant.now().minusSeconds(120)).sign()).get("/secrets/v1/" + path)
                .then().spec(Specs.problem(401));
        Specs.as(TestTokens.admin().issuer("urn:someone:else").sign()).get("/secrets/v1/" + path).then().spec(Specs.problem(401));
        Specs.as(TestTokens.admin().audience("another-audience").sign()).get("/secrets/v1/" + path).then().spec(Specs.problem(401));
        Specs.as(TestTokens.admin().unsigned()).get("/secrets/v1/" + path).then().spec(Specs.problem(401));
    }

    @Test
    void grantsOnlyTheCapabilitiesARuleNames() {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/app/db", "db-pass");
        String readers = Fixtures.groupWith(prefix + "/app", "read");
        String reader = Fixtures.user(readers);
        Specs.as(reader).get("/secrets/v1/" + prefix + "/app/db").then().statusCode(200).body("value", equalTo("db-pass"));
        Specs.as(reader).body(value("overwrite").encode()).put("/secrets/v1/" + prefix + "/app/db").then().spec(Specs.problem(403));
        Specs.as(reader).delete("/secrets/v1/" + prefix + "/app/db").then().spec(Specs.problem(403));
        Specs.as(reader).get("/secrets/v1/" + prefix + "/app/db/metadata").then().spec(Specs.problem(403));

        String writers = Fixtures.groupWith(prefix + "/app", "write");
        String writer = Fixtures.user(writers);
        Specs.as(writer).body(value("new-pass").encode()).put("/secrets/v1/" + prefix + "/app/db").then().statusCode(200)
                .body("version", equalTo(2));
        Specs.as(writer).get("/secrets/v1/" + prefix + "/app/db").then().spec(Specs.problem(403));
    }

    /** A lower max_versions erases versions for good: write alone may not, write with destroy may. */
    @Test
    void changingMaxVersionsNeedsDestroyAsWell() {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/app/kept", "one");
        Fixtures.write(prefix + "/app/kept", "two");
        String writer = Fixtures.user(Fixtures.groupWith(prefix + "/app", "write", "read"));
        Specs.as(writer).body(new JsonObject().put("maxVersions", 1).encode()).put("/secrets/v1/" + prefix + "/app/kept/metadata")
                .then().spec(Specs.problem(403));
        Specs.as(writer).get("/secrets/v1/" + prefix + "/app/kept?version=1").then().statusCode(200).body("value", equalTo("one"));
        Specs.as(writer).body(new JsonObject().put("casRequired", true).encode()).put("/secrets/v1/" + prefix + "/app/kept/metadata")
                .then().statusCode(200); // the other settings stay write's
        AuditOutbox.await(e -> "authz_failure".equals(e.getString("type"))
                && (prefix + "/app/kept").equals(e.getJsonObject("details").getString("path"))
                && "configure".equals(e.getJsonObject("details").getString("operation")));
        String destroyer = Fixtures.user(Fixtures.groupWith(prefix + "/app", "write", "destroy"));
        Specs.as(destroyer).body(new JsonObject().put("maxVersions", 1).encode()).put("/secrets/v1/" + prefix + "/app/kept/metadata")
                .then().statusCode(200).body("maxVersions", equalTo(1));
    }

    @Test
    void aPrefixCoversWholeSegmentsOnly() {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/app/x", "mine");
        Fixtures.write(prefix + "/apple/x", "not mine");
        String user = Fixtures.user(Fixtures.groupWith(prefix + "/app", "read", "list"));
        Specs.as(user).get("/secrets/v1/" + prefix + "/app/x").then().statusCode(200);
        Specs.as(user).get("/secrets/v1/" + prefix + "/apple/x").then().spec(Specs.problem(403));
        // listing the parent shows only what the rules cover
        Specs.as(user).queryParam("prefix", prefix).get("/secrets/v1").then().statusCode(200)
                .body("secrets.path", contains(prefix + "/app/x"));
    }

    @Test
    void policyChangesTakeEffectAtOnce() {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/s", "v");
        String group = "g-" + UUID.randomUUID().toString().substring(0, 8);
        String user = Fixtures.user(group);
        Specs.as(user).get("/secrets/v1/" + prefix + "/s").then().spec(Specs.problem(403));
        Specs.as(Fixtures.admin()).body(policy(group, prefix, "read").encode()).put("/secrets/policies/p-" + group)
                .then().statusCode(201).header("Location", containsString("/secrets/policies/p-" + group));
        Specs.as(user).get("/secrets/v1/" + prefix + "/s").then().statusCode(200);
        Specs.as(Fixtures.admin()).body(policy(group, prefix + "/other", "read").encode()).put("/secrets/policies/p-" + group)
                .then().statusCode(200);
        Specs.as(user).get("/secrets/v1/" + prefix + "/s").then().spec(Specs.problem(403));
        Specs.as(Fixtures.admin()).body(policy(group, prefix, "read").encode()).put("/secrets/policies/p-" + group).then().statusCode(200);
        Specs.as(Fixtures.admin()).delete("/secrets/policies/p-" + group).then().statusCode(204);
        Specs.as(user).get("/secrets/v1/" + prefix + "/s").then().spec(Specs.problem(403));
        Specs.as(Fixtures.admin()).get("/secrets/policies/p-" + group).then().spec(Specs.problem(404));
    }

    @Test
    void aRevokedWriteGrantStopsTheVeryNextWrite() {
        String prefix = Fixtures.uniquePrefix();
        String group = "g-" + UUID.randomUUID().toString().substring(0, 8);
        String user = Fixtures.user(group);
        Specs.as(Fixtures.admin()).body(policy(group, prefix, "write").encode()).put("/secrets/policies/p-" + group)
                .then().statusCode(201);
        for (int i = 1; i <= 3; i++) {
            Specs.as(user).body(value("v" + i).encode()).put("/secrets/v1/" + prefix + "/w").then().statusCode(200)
                    .body("version", equalTo(i));
        }
        Specs.as(Fixtures.admin()).delete("/secrets/policies/p-" + group).then().statusCode(204);
        Specs.as(user).body(value("v4").encode()).put("/secrets/v1/" + prefix + "/w").then().spec(Specs.problem(403));
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + prefix + "/w").then().body("version", equalTo(3));
    }

    @Test
    void adminsGetTheirRightsFromTheBootstrapPolicyAndNothingElse() {
        String admin = Fixtures.admin();
        Specs.as(admin).get("/secrets/policies/admin").then().statusCode(200)
                .body("groups", contains("admin"))
                .body("rules[0].pathPrefix", equalTo("*"))
                .body("rules[0].capabilities", contains("read", "write", "delete", "destroy", "list", "share"))
                .body("updatedBy", equalTo("bootstrap"));
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/x", "v");
        JsonObject original = new JsonObject().put("groups", new JsonArray().add("admin")).put("rules", new JsonArray()
                .add(new JsonObject().put("pathPrefix", "*").put("capabilities",
                        new JsonArray().add("read").add("write").add("delete").add("destroy").add("list").add("share"))));
        try {
            // narrowed to one prefix, the admin group can do no more than the policy says
            Specs.as(admin).body(policy("admin", prefix + "/only-here", "read").encode()).put("/secrets/policies/admin")
                    .then().statusCode(200);
            Specs.as(admin).get("/secrets/v1/" + prefix + "/x").then().spec(Specs.problem(403));
            Specs.as(admin).body(value("v2").encode()).put("/secrets/v1/" + prefix + "/x").then().spec(Specs.problem(403));
            // managing policies stays an admin-group function, so the admin can always repair its rights
        } finally {
            Specs.as(admin).body(original.encode()).put("/secrets/policies/admin").then().statusCode(200);
        }
        Specs.as(admin).get("/secrets/v1/" + prefix + "/x").then().statusCode(200);
    }

    @Test
    void onlyAdminsManagePolicies() {
        String user = Fixtures.user("user");
        Specs.as(user).get("/secrets/policies").then().spec(Specs.problem(403));
        Specs.as(user).body(policy("user", "*", "read").encode()).put("/secrets/policies/escalate").then().spec(Specs.problem(403));
        Specs.as(TestTokens.service("exec-service").sign()).get("/secrets/policies").then().spec(Specs.problem(403));
        Specs.json().get("/secrets/policies").then().spec(Specs.problem(401));
        Specs.as(Fixtures.admin()).get("/secrets/policies").then().statusCode(200).body("name", hasItem("admin"));
    }

    @Test
    void refusesMalformedPoliciesNamingTheField() {
        String admin = Fixtures.admin();
        Specs.as(admin).body(policy("g", "app", "read", "sudo").encode()).put("/secrets/policies/bad")
                .then().spec(Specs.problem(400)).body("field", equalTo("rules[0].capabilities[1]"));
        Specs.as(admin).body(policy("g", "app/../etc", "read").encode()).put("/secrets/policies/bad")
                .then().spec(Specs.problem(400)).body("field", equalTo("rules[0].pathPrefix"));
        Specs.as(admin).body(policy("g\nadmin", "app", "read").encode()).put("/secrets/policies/bad")
                .then().spec(Specs.problem(400)).body("field", equalTo("groups[0]"));
        Specs.as(admin).body(new JsonObject().put("groups", new JsonArray()).put("rules", new JsonArray()).encode())
                .put("/secrets/policies/bad").then().spec(Specs.problem(400)).body("field", equalTo("groups"));
        Specs.as(admin).body(policy("g", "app", "read").encode()).put("/secrets/policies/-bad")
                .then().spec(Specs.problem(400)).body("field", equalTo("name"));
        // an escaped character never reaches the resource: the raw URL path is refused first
        Specs.as(admin).body(policy("g", "app", "read").encode()).put("/secrets/policies/bad name")
                .then().spec(Specs.problem(400)).body("field", equalTo("path"));
        Specs.as(admin).get("/secrets/policies/bad").then().spec(Specs.problem(404));
    }

    @Test
    void refusalsAreAuditedWithPathAndVersion() {
        String path = Fixtures.uniquePrefix() + "/audited-denial";
        Fixtures.write(path, "v");
        Specs.as(Fixtures.user("user")).queryParam("version", 1).get("/secrets/v1/" + path).then().spec(Specs.problem(403));
        JsonObject e = AuditOutbox.await(AuditOutbox.typeAndDetail("authz_failure", "path", path));
        assertThat(e.getString("outcome"), equalTo("denied"));
        assertThat(e.getJsonObject("details").getString("operation"), equalTo("read"));
        assertThat(e.getJsonObject("details").getString("version"), equalTo("1"));
        assertThat(e.getJsonObject("details").getString("capability"), equalTo("read"));
        assertThat(e.getString("actor"), containsString("user:"));
    }

    @Test
    void everyReadWriteAndDeleteIsAuditedWithoutTheValue() {
        String path = Fixtures.uniquePrefix() + "/audited";
        String marker = "audit-marker-" + UUID.randomUUID();
        Fixtures.write(path, marker);
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().statusCode(200);
        Specs.as(Fixtures.admin()).delete("/secrets/v1/" + path).then().statusCode(200);
        for (String op : new String[] { "write", "read", "delete" }) {
            JsonObject e = AuditOutbox.await(ev -> "secret_access".equals(ev.getString("type"))
                    && path.equals(ev.getJsonObject("details").getString("path"))
                    && op.equals(ev.getJsonObject("details").getString("operation")));
            assertThat(op, e.getJsonObject("details").getString("version"), equalTo("1"));
            assertThat(e.getString("outcome"), equalTo("success"));
            assertThat(e.getString("service"), equalTo("secrets-service"));
        }
        assertThat(new JsonArray(AuditOutbox.events()).encode(), not(containsString(marker)));
    }

    @Test
    void policyChangesAreAuditedAsConfigChanges() {
        String group = "g-" + UUID.randomUUID().toString().substring(0, 8);
        Specs.as(Fixtures.admin()).body(policy(group, "x", "read").encode()).put("/secrets/policies/p-" + group)
                .then().statusCode(201);
        JsonObject e = AuditOutbox.await(AuditOutbox.typeAndDetail("config_change", "policy", "p-" + group));
        assertThat(e.getJsonObject("details").getString("action"), equalTo("policy_created"));
        assertThat(e.getJsonObject("details").getString("groups"), equalTo(group));
    }

    @Test
    void servicesGetAccessThroughPoliciesLikeAnyoneElse() {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/svc", "for-the-service");
        String svc = TestTokens.service("exec-service").sign();
        Specs.as(svc).get("/secrets/v1/" + prefix + "/svc").then().spec(Specs.problem(403));
        String group = "service";
        String name = "p-svc-" + prefix;
        Specs.as(Fixtures.admin()).body(policy(group, prefix, "read").encode()).put("/secrets/policies/" + name).then().statusCode(201);
        try {
            Specs.as(svc).get("/secrets/v1/" + prefix + "/svc").then().statusCode(200).body("value", equalTo("for-the-service"));
            AuditOutbox.await(ev -> "secret_access".equals(ev.getString("type"))
                    && "svc:exec-service".equals(ev.getString("actor"))
                    && (prefix + "/svc").equals(ev.getJsonObject("details").getString("path")));
        } finally {
            Specs.as(Fixtures.admin()).delete("/secrets/policies/" + name).then().statusCode(204);
        }
        assertThat(Specs.as(Fixtures.admin()).get("/secrets/policies").jsonPath().getList("name"),
                not(hasItem(name)));
    }
}
