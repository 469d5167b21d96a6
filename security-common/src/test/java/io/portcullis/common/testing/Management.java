package io.portcullis.common.testing;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.specification.RequestSpecification;

/** Where the service under test serves {@code /q/health}, {@code /q/metrics} and {@code /q/openapi}. */
public final class Management {

    static final String PORT_PROPERTY = "portcullis.test.management-port";

    private Management() {
    }

    public static int port() {
        String port = System.getProperty(PORT_PROPERTY);
        if (port == null) {
            throw new IllegalStateException("LocalInfraTestResource did not run: no management port");
        }
        return Integer.parseInt(port);
    }

    /** A REST Assured spec aimed at the management interface. */
    public static RequestSpecification spec() {
        return new RequestSpecBuilder().setBaseUri("http://localhost").setPort(port()).build();
    }

    public static RequestSpecification given() {
        return RestAssured.given().spec(spec());
    }
}
