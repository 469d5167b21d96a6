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

    /**
     * What one client controls, for counting it: an IPv4 address as it is, an IPv6 address as its /64
     * ({@code 2001:db8:1:2::/64}; one subscriber gets a whole /64, and counting per /128 would give it
     * 2^64 counters). Anything that is not an address literal is returned unchanged and never handed
     * to a resolver.
     */
    public static String network(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (!literal.matches("^[0-9A-Fa-f:.]{2,45}$")) {
            return address;
        }
        try {
            byte[] b = java.net.InetAddress.getByName(literal).getAddress(); // a literal: no lookup
            if (b.length != 16) {
                return address;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return sb.append(":/64").toString();
        } catch (java.net.UnknownHostException | RuntimeException e) {
            return address;
        }
    }
}
