package io.portcullis.secrets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.restassured.RestAssured;

/**
 * One HTTP/1.1 request written byte for byte, so that no client library normalises the path
 * ({@code ..}, {@code %2e}) before the service sees it.
 */
public final class RawHttp {

    public record Reply(int status, String head, String body) {
    }

    private RawHttp() {
    }

    public static Reply get(String rawPath, String token) {
        String request = "GET " + rawPath + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n";
        try (Socket s = new Socket("localhost", RestAssured.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = split < 0 ? all : all.substring(0, split);
            String body = split < 0 ? "" : all.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Reply(status, head, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
