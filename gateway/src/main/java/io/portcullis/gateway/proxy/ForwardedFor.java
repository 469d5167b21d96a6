package io.portcullis.gateway.proxy;

import java.util.Set;

/**
 * Who the client is. From a peer listed in {@code portcullis.gateway.trusted-proxies}, the client is
 * the right-most address of its {@code X-Forwarded-For} that is not itself a trusted proxy, and the
 * header sent upstream starts at that client (the hops the client wrote itself are dropped: the
 * services take the left-most entry) and ends with the proxy; from anyone else the client is the
 * peer, and whatever {@code X-Forwarded-*} it sent is thrown away (ASVS 4.1.3: headers set by
 * intermediaries cannot be set by users).
 */
public final class ForwardedFor {

    /** The client's address, and the X-Forwarded-For / -Proto to send upstream. */
    public record Client(String address, String forwardedFor, String forwardedProto) {
    }

    private ForwardedFor() {
    }

    /**
     * From the request's headers. Several {@code X-Forwarded-For} lines are one list in their order
     * (RFC 9110, section 5.3): a proxy that adds its own line after the client's must not leave the
     * client's first line to be believed. Of several {@code X-Forwarded-Proto} lines the last counts,
     * the one the nearest proxy wrote.
     */
    public static Client of(String peer, io.vertx.core.MultiMap headers, boolean tls, Set<String> trusted) {
        if (peer == null || !trusted.contains(peer)) { // the common case: nothing to read, nothing to allocate
            return of(peer, null, null, tls, trusted);
        }
        java.util.List<String> fors = headers.getAll("X-Forwarded-For");
        java.util.List<String> protos = headers.getAll("X-Forwarded-Proto");
        return of(peer, fors.isEmpty() ? null : String.join(",", fors), protos.isEmpty() ? null : protos.get(protos.size() - 1),
                tls, trusted);
    }

    public static Client of(String peer, String incomingFor, String incomingProto, boolean tls, Set<String> trusted) {
        String proto = tls ? "https" : "http";
        if (peer == null || !trusted.contains(peer)) {
            return new Client(peer, peer, proto);
        }
        String client = peer;
        String[] hops = incomingFor == null || incomingFor.isBlank() ? new String[0] : incomingFor.split(",");
        int kept = hops.length; // hops[kept..] are the client and the trusted proxies after it
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!validAddress(hop)) {
                break; // nothing left of a hop no trusted proxy could have written is believed
            }
            client = hop;
            kept = i;
            if (!trusted.contains(hop)) {
                break;
            }
        }
        // Upstream, Quarkus takes the left-most entry as the client: what the client wrote itself, left
        // of the hop the trusted proxies vouch for, is dropped, so that every service sees this client.
        StringBuilder chain = new StringBuilder();
        for (int i = kept; i < hops.length; i++) {
            chain.append(hops[i].trim()).append(", ");
        }
        chain.append(peer);
        String forwardedProto = "https".equalsIgnoreCase(incomingProto) || "http".equalsIgnoreCase(incomingProto)
                ? incomingProto.toLowerCase() : proto;
        return new Client(client, chain.toString(), forwardedProto);
    }

    static boolean validAddress(String s) {
        return s.length() <= 45 && s.matches("^[0-9A-Fa-f:.]+$");
    }
}
