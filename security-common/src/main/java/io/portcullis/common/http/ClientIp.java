package io.portcullis.common.http;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * The client's address for audit and rate limiting. It is the TCP peer, or, when the peer is a
 * proxy listed in {@code quarkus.http.proxy.trusted-proxies} (with
 * {@code quarkus.http.proxy.proxy-address-forwarding=true}), the address that proxy forwarded:
 * Quarkus applies that rule before this code sees the request, so a client cannot choose its own
 * address by sending {@code X-Forwarded-For}.
 */
public final class ClientIp {

    private ClientIp() {
    }

    public static String of(RoutingContext rc) {
        SocketAddress remote = rc.request().remoteAddress();
        return remote == null ? null : remote.hostAddress();
    }
}
