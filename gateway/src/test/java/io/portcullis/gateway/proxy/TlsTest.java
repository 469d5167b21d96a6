package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.gateway.Keys;
import io.portcullis.gateway.StubUpstream;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.config.RedirectConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;

/**
 * The gateway over TLS: HTTPS with TLS 1.2/1.3 only, HSTS of two years, plain HTTP redirected, and an
 * upstream client that verifies certificates (one signed by a configured CA passes; any other is
 * refused with 503, never trusted blindly).
 */
@QuarkusTest
@TestProfile(TlsTest.Tls.class)
class TlsTest {

    public static class Tls implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Certificates.class));
        }
    }

    /** A throwaway CA-less certificate for localhost, made with the JDK's keytool, and TLS stub upstreams. */
    public static class Certificates implements QuarkusTestResourceLifecycleManager {
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            try {
                Path dir = Files.createTempDirectory("gateway-tls-");
                String password = Long.toHexString(new SecureRandom().nextLong());
                Path good = keystore(dir, "good", password);
                Path bad = keystore(dir, "bad", password);
                Path goodPem = dir.resolve("good.pem");
                keytool("-exportcert", "-rfc", "-alias", "good", "-keystore", good.toString(), "-storepass", password,
                        "-file", goodPem.toString());
                Path trust = dir.resolve("trust.p12");
                keytool("-importcert", "-noprompt", "-alias", "good", "-file", goodPem.toString(), "-keystore", trust.toString(),
                        "-storetype", "PKCS12", "-storepass", password);
                vertx = Vertx.vertx();
                int trusted = new StubUpstream(vertx).start(new HttpServerOptions().setSsl(true)
                        .setPfxKeyCertOptions(new PfxOptions().setPath(good.toString()).setPassword(password)));
                int untrusted = new StubUpstream(vertx).start(new HttpServerOptions().setSsl(true)
                        .setPfxKeyCertOptions(new PfxOptions().setPath(bad.toString()).setPassword(password)));
                System.setProperty("gateway.test.tls.truststore", trust.toString());
                System.setProperty("gateway.test.tls.password", password);
                Map<String, String> config = new HashMap<>();
                config.put("quarkus.http.ssl.certificate.key-store-file", good.toString());
                config.put("quarkus.http.ssl.certificate.key-store-password", password);
                config.put("quarkus.http.test-ssl-port", "0");
                config.put("quarkus.http.insecure-requests", "redirect");
                config.put("portcullis.gateway.upstreams.tlsok", "https://localhost:" + trusted);
                config.put("portcullis.gateway.upstreams.tlsbad", "https://localhost:" + untrusted);
                // the trusted certificate (for localhost and 127.0.0.1), reached by a name it is not for
                int wrongName = new StubUpstream(vertx).start(new HttpServerOptions().setSsl(true)
                        .setPfxKeyCertOptions(new PfxOptions().setPath(good.toString()).setPassword(password)), "127.0.0.2");
                config.put("portcullis.gateway.upstreams.tlswrongname", "https://127.0.0.2:" + wrongName);
                config.put("portcullis.gateway.upstream-trust-certificates", goodPem.toString());
                return config;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        static Path keystore(Path dir, String alias, String password) throws Exception {
            Path file = dir.resolve(alias + ".p12");
            keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", file.toString(),
                    "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            return file;
        }

        static void keytool(String... args) throws Exception {
            List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + String.join(" ", args));
            }
        }

        @Override
        public void stop() {
            if (vertx != null) {
                vertx.close();
            }
        }
    }

    @TestHTTPResource(tls = true)
    URL https;

    @TestHTTPResource
    URL http;

    private String savedBase;
    private int savedPort;
    private RestAssuredConfig savedConfig;

    /** Plain HTTP is redirected here: every helper talks HTTPS, trusting the test certificate. */
    @org.junit.jupiter.api.BeforeEach
    void useHttps() throws Exception {
        savedBase = io.restassured.RestAssured.baseURI;
        savedPort = io.restassured.RestAssured.port;
        savedConfig = io.restassured.RestAssured.config;
        io.restassured.RestAssured.baseURI = "https://localhost";
        io.restassured.RestAssured.port = https.getPort();
        io.restassured.RestAssured.config = RestAssuredConfig.config().sslConfig(trustOurCert());
    }

    @org.junit.jupiter.api.AfterEach
    void restore() {
        io.restassured.RestAssured.baseURI = savedBase;
        io.restassured.RestAssured.port = savedPort;
        io.restassured.RestAssured.config = savedConfig;
    }

    static SSLConfig trustOurCert() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(Path.of(System.getProperty("gateway.test.tls.truststore")))) {
            ks.load(in, System.getProperty("gateway.test.tls.password").toCharArray());
        }
        return SSLConfig.sslConfig().trustStore(ks);
    }

    @Test
    void servesHttpsWithHsts() throws Exception {
        Keys.Key k = Keys.create("/");
        given().config(RestAssuredConfig.config().sslConfig(trustOurCert())).baseUri("https://localhost").port(https.getPort())
                .header("X-API-Key", k.apiKey()).get("/tlsok/ping").then().statusCode(200)
                .header("Strict-Transport-Security", startsWith("max-age=63072000"));
    }

    @Test
    void redirectsPlainHttpToHttps() {
        given().config(RestAssuredConfig.config().redirect(RedirectConfig.redirectConfig().followRedirects(false)))
                .baseUri("http://localhost").port(http.getPort()).get("/secrets/v1/x")
                .then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(301), org.hamcrest.Matchers.is(302)))
                .header("Location", startsWith("https://"));
    }

    @Test
    void refusesTls11() throws Exception {
        String disabled = java.security.Security.getProperty("jdk.tls.disabledAlgorithms");
        java.security.Security.setProperty("jdk.tls.disabledAlgorithms", "");
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(Path.of(System.getProperty("gateway.test.tls.truststore")))) {
                ks.load(in, System.getProperty("gateway.test.tls.password").toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", https.getPort())) {
                s.setEnabledProtocols(new String[] { "TLSv1.1" });
                assertThrows(javax.net.ssl.SSLException.class, s::startHandshake, "the server must refuse TLS 1.1");
            }
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", https.getPort())) {
                s.setEnabledProtocols(new String[] { "TLSv1.2" });
                s.startHandshake(); // TLS 1.2 is accepted
                assertTrue(s.getSession().getCipherSuite().startsWith("TLS_ECDHE_"), s.getSession().getCipherSuite());
            }
            // under TLS 1.2 only forward-secret AEAD suites: CBC (and RSA key exchange) are refused
            for (String weak : new String[] { "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" }) {
                try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", https.getPort())) {
                    s.setEnabledProtocols(new String[] { "TLSv1.2" });
                    s.setEnabledCipherSuites(new String[] { weak });
                    assertThrows(javax.net.ssl.SSLException.class, s::startHandshake, "the server must refuse " + weak);
                }
            }
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", https.getPort())) {
                s.setEnabledProtocols(new String[] { "TLSv1.3" });
                s.startHandshake();
                assertEquals("TLSv1.3", s.getSession().getProtocol());
            }
        } finally {
            java.security.Security.setProperty("jdk.tls.disabledAlgorithms", disabled);
        }
    }

    @Test
    void verifiesUpstreamCertificates() throws Exception {
        Keys.Key k = Keys.create("/");
        given().config(RestAssuredConfig.config().sslConfig(trustOurCert())).baseUri("https://localhost").port(https.getPort())
                .header("X-API-Key", k.apiKey()).get("/tlsok/ping").then().statusCode(200);
        given().config(RestAssuredConfig.config().sslConfig(trustOurCert())).baseUri("https://localhost").port(https.getPort())
                .header("X-API-Key", k.apiKey()).get("/tlsbad/ping").then().spec(Specs.problem(503));
        // a certificate the CA signed, for another host: refused too (the host name is verified, not only the chain)
        given().config(RestAssuredConfig.config().sslConfig(trustOurCert())).baseUri("https://localhost").port(https.getPort())
                .header("X-API-Key", k.apiKey()).get("/tlswrongname/ping").then().spec(Specs.problem(503));
    }

}
