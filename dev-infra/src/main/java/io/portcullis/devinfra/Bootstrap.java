package io.portcullis.devinfra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The bootstrap secrets of a local run (DESIGN.md, Bootstrap), generated at random with the JDK's
 * SecureRandom and key generators, each in its own 0600 file under {@code <dir>/secrets}. Existing
 * files are kept, so a second start reuses them. Nothing here is ever printed.
 */
final class Bootstrap {

    /** The services that call others with a client-credentials token from auth-service. */
    static final List<String> CLIENTS = List.of("gateway", "secrets-service", "exec-service", "audit-service");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHANUM = "abcdefghijklmnopqrstuvwxyz0123456789";

    private Bootstrap() {
    }

    static void generate(Path dir) {
        Path secrets = dir.resolve("secrets");
        ifMissing(secrets.resolve("admin-password"), () -> randomToken(24));
        ifMissing(secrets.resolve("admin-api-key"), () -> "pcx_" + randomAlphanum(16) + "_" + randomToken(32));
        Path clients = secrets.resolve("clients");
        try {
            java.nio.file.Files.createDirectories(clients);
            java.nio.file.Files.setPosixFilePermissions(clients, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String client : CLIENTS) {
            ifMissing(clients.resolve(client), () -> randomToken(32));
        }
        ifMissing(secrets.resolve("secrets-kek"), () -> Base64.getEncoder().encodeToString(randomBytes(32)));
        if (!Files.exists(secrets.resolve("jwt-signing.pem"))) {
            KeyPair rsa = keyPair("RSA", 2048);
            LocalInfra.writePrivate(secrets.resolve("jwt-signing.pem"), pem("PRIVATE KEY", rsa.getPrivate().getEncoded()));
            LocalInfra.writePrivate(secrets.resolve("jwt-signing.pub.pem"), pem("PUBLIC KEY", rsa.getPublic().getEncoded()));
        }
        if (!Files.exists(secrets.resolve("audit-signing.pem"))) {
            KeyPair ed = keyPair("Ed25519", 0);
            LocalInfra.writePrivate(secrets.resolve("audit-signing.pem"), pem("PRIVATE KEY", ed.getPrivate().getEncoded()));
            LocalInfra.writePrivate(secrets.resolve("audit-signing.pub.pem"), pem("PUBLIC KEY", ed.getPublic().getEncoded()));
        }
    }

    /** Waits until every URL answers 200, or fails naming the first that did not. */
    static void waitReady(List<String> urls, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String url : urls) {
            while (true) {
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // not up yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not ready in time: " + url);
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            }
        }
    }

    private static void ifMissing(Path file, java.util.function.Supplier<String> value) {
        if (!Files.exists(file)) {
            LocalInfra.writePrivate(file, value.get());
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String randomToken(int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }

    private static String randomAlphanum(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHANUM.charAt(RANDOM.nextInt(ALPHANUM.length())));
        }
        return sb.toString();
    }

    private static KeyPair keyPair(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                g.initialize(bits, RANDOM);
            }
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this JDK", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
