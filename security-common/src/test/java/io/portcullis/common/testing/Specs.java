package io.portcullis.common.testing;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.builder.ResponseSpecBuilder;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.restassured.specification.ResponseSpecification;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/** REST Assured specs shared by every service's tests. */
public final class Specs {

    private Specs() {
    }

    /** JSON in, JSON out. */
    public static RequestSpecification json() {
        return RestAssured.given().spec(new RequestSpecBuilder()
                .setContentType(ContentType.JSON)
                .setAccept(ContentType.JSON)
                .build());
    }

    /** JSON in and out, with {@code Authorization: Bearer <token>}. */
    public static RequestSpecification as(String token) {
        return json().header("Authorization", "Bearer " + token);
    }

    /**
     * What every error must look like: problem+json with the given status, a type URN, a title, a
     * request id, and no trace of internals (class names, stack frames, SQL).
     */
    public static ResponseSpecification problem(int status) {
        return new ResponseSpecBuilder()
                .expectStatusCode(status)
                .expectContentType("application/problem+json")
                .expectBody("status", equalTo(status))
                .expectBody("type", matchesPattern("^urn:portcullis:problem:[a-z-]+$"))
                .expectBody("title", notNullValue())
                .expectBody("detail", notNullValue())
                .expectBody("requestId", matchesPattern("^[A-Za-z0-9._:-]{8,128}$"))
                .expectBody(not(containsString("Exception")))
                .expectBody(not(containsString("\tat ")))
                .expectBody(not(containsString("java.")))
                .expectBody(not(containsString("SQL")))
                .build();
    }
}
