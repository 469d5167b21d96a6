package io.portcullis.gateway.proxy;

import java.util.Set;

/**
 * Who the client is. From a peer listed in {@code portcullis.gateway.trusted-proxies}, the client is
 * the right-most address of its {@code X-Forwarded-For} that is not itself a trusted proxy, and that
 * header is extended; from anyone else the client is the peer, and whatever {@code X-Forwarded-*}
 * it sent is thrown away (ASVS 4.1.3: headers set by intermediaries cannot be set by users).
 */
public final class ForwardedFor {

    /** The client's address, and the X-Forwarded-For / -Proto to send upstream. */
    public record Client(String address, String forwardedFor, String forwardedProto) {
    }

    private ForwardedFor() {
    }

    public static Client of(String peer, String incomingFor, String incomingProto, boolean tls, Set<String> trusted) {
        String proto = tls ? "https" : "http";
        if (peer == null || !trusted.contains(peer)) {
            return new Client(peer, peer, proto);
        }
        String client = peer;
        if (incomingFor != null && !incomingFor.isBlank()) {
            String[] hops = incomingFor.split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].trim();
                if (!hop.isEmpty() && validAddress(hop)) {
                    client = hop;
                    if (!trusted.contains(hop)) {
                        break;
                    }
                }
            }
        }
        String chain = incomingFor == null || incomingFor.isBlank() ? peer : incomingFor.trim() + ", " + peer;
        String forwardedProto = "https".equalsIgnoreCase(incomingProto) || "http".equalsIgnoreCase(incomingProto)
                ? incomingProto.toLowerCase() : proto;
        return new Client(client, chain, forwardedProto);
    }

    static boolean validAddress(String s) {
        return s.length() <= 45 && s.matches("^[0-9A-Fa-f:.]+$");
    }
}
