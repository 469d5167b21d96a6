package io.portcullis.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.restassured.response.Response;

/** Test users made through the admin API, each with a unique name and a strong random password. */
public final class Accounts {

    public record Account(String id, String username, String password) {
    }

    private Accounts() {
    }

    public static String strongPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return "pw-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
    }

    public static Account create(String... groups) {
        String username = uniqueName("user");
        String password = strongPassword();
        String id = Specs.as(TestTokens.admin().sign())
                .body(Map.of("username", username, "password", password, "groups", List.of(groups.length == 0 ? new String[] { "user" } : groups)))
                .post("/auth/users").then().statusCode(201).extract().jsonPath().getString("id");
        return new Account(id, username, password);
    }

    public static Response login(String username, String password) {
        return Specs.json().body(Map.of("username", username, "password", password)).post("/auth/login");
    }

    /** Logs in and returns {sessionToken, accessToken}. */
    public static String[] session(Account a) {
        var json = login(a.username(), a.password()).then().statusCode(200).extract().jsonPath();
        return new String[] { json.getString("sessionToken"), json.getString("accessToken") };
    }
}
