package io.portcullis.load;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/** A static upstream for proxy benchmarks: 200 with a small JSON body, as fast as Vert.x goes. */
public final class StaticUpstream {

    public static void main(String[] args) {
        int port = Integer.parseInt(args.length > 0 ? args[0] : "18090");
        Buffer body = Buffer.buffer("{\"ok\":true}");
        Vertx.vertx().createHttpServer().requestHandler(req -> req.response()
                .putHeader("Content-Type", "application/json").end(body)).listen(port, "127.0.0.1")
                .onSuccess(s -> System.out.println("static upstream on " + s.actualPort()));
    }
}
