package io.portcullis.exec;

import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.notNullValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/** Test helpers: submit a job, wait for its result, read the spawn counter, look for processes. */
public final class Jobs {

    private Jobs() {
    }

    /**
     * A fresh user id (each test makes its own data). Letters only: the shared audit redactor takes a
     * digit run of a UUID for a card number about once in 400 ids, and the actor would not match.
     */
    public static String newUserId() {
        StringBuilder sb = new StringBuilder("u-");
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 20; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    /** A token of a fresh user in group {@code user}. */
    public static String userToken() {
        return TestTokens.user(newUserId(), "user").sign();
    }

    public static String adminToken() {
        return TestTokens.admin().sign();
    }

    public static Response submit(String token, String action, Map<String, ?> params) {
        JsonObject body = new JsonObject().put("action", action).put("params", new JsonObject(new java.util.LinkedHashMap<>(params)));
        return Specs.as(token).body(body.encode()).post("/exec/jobs");
    }

    /** Submits, expects 202, waits for the result. */
    public static JsonPath run(String token, String action, Map<String, ?> params) {
        String jobId = submit(token, action, params).then().statusCode(202).body("jobId", notNullValue())
                .extract().path("jobId");
        return await(token, jobId);
    }

    /** Waits (long poll) until the job has finished, and returns it. */
    public static JsonPath await(String token, String jobId) {
        for (int i = 0; i < 6; i++) {
            JsonPath job = Specs.as(token).queryParam("wait", 30).get("/exec/jobs/" + jobId).then().statusCode(200)
                    .extract().jsonPath();
            if (!List.of("queued", "running").contains(job.getString("status"))) {
                return job;
            }
        }
        throw new AssertionError("job " + jobId + " did not finish");
    }

    private static final Pattern SPAWNS = Pattern.compile(
            "(?m)^portcullis_exec_spawns_total\\{[^}]*action=\"([^\"]+)\"[^}]*\\} ([0-9.eE+-]+)$");

    /** Processes started so far for {@code action} (the service's counter, read from /q/metrics). */
    public static double spawns(String action) {
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = SPAWNS.matcher(metrics);
        double total = 0;
        while (m.find()) {
            if (m.group(1).equals(action)) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    /** Pids of live (non-zombie) processes whose command line contains {@code marker} as one argument. */
    public static List<Long> processesWithArgument(String marker) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                        continue;
                    }
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    for (String arg : cmdline.split("\u0000")) {
                        if (arg.equals(marker)) {
                            out.add(Long.parseLong(name));
                            break;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The job's status is one of the finished ones. */
    public static org.hamcrest.Matcher<Object> finished() {
        return in(List.of("succeeded", "failed", "timed_out"));
    }
}
