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

    /**
     * The sum of the Prometheus samples of {@code name} (no suffix added) whose labels include every
     * {@code label="value"} pair given, as {@code /q/metrics} shows them now; 0 when there is none yet.
     * Read it before and after the act under test: earlier tests may have moved the same series.
     */
    public static double metric(String name, String... labelPairs) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String labels = close < 0 ? "" : line.substring(name.length(), close + 1);
            boolean all = true;
            for (int i = 0; i + 1 < labelPairs.length; i += 2) {
                all &= labels.contains(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\"");
            }
            if (all) {
                String value = line.substring(close < 0 ? name.length() : close + 1).trim().split(" ")[0];
                sum += Double.parseDouble(value);
            }
        }
        return sum;
    }
}
