package io.portcullis.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** Who the client is: only a configured proxy may speak for someone else, and only the gateway decides. */
class ForwardedForTest {

    @Test
    void fromAnUntrustedPeerTheHeadersAreThrownAway() {
        ForwardedFor.Client c = ForwardedFor.of("198.51.100.4", "203.0.113.7", "https", false, Set.of("10.0.0.9"));
        assertEquals("198.51.100.4", c.address());
        assertEquals("198.51.100.4", c.forwardedFor());
        assertEquals("http", c.forwardedProto());
    }

    @Test
    void fromATrustedProxyTheClientIsTheRightMostUntrustedHop() {
        ForwardedFor.Client c = ForwardedFor.of("10.0.0.9", "203.0.113.7, 198.51.100.4, 10.0.0.8", "https", false,
                Set.of("10.0.0.9", "10.0.0.8"));
        assertEquals("198.51.100.4", c.address(), "203.0.113.7 was written by the client itself: never believed");
        assertEquals("198.51.100.4, 10.0.0.8, 10.0.0.9", c.forwardedFor(),
                "the services take the left-most entry as the client: the hop the client wrote is not passed on");
        assertEquals("https", c.forwardedProto());
    }

    @Test
    void nothingLeftOfAHopThatIsNotAnAddressIsBelieved() {
        ForwardedFor.Client c = ForwardedFor.of("10.0.0.9", "203.0.113.7, unknown, 10.0.0.8", "http", false,
                Set.of("10.0.0.9", "10.0.0.8"));
        assertEquals("10.0.0.8", c.address());
        assertEquals("10.0.0.8, 10.0.0.9", c.forwardedFor());
        ForwardedFor.Client empty = ForwardedFor.of("10.0.0.9", "203.0.113.7, , 10.0.0.8", "http", false,
                Set.of("10.0.0.9", "10.0.0.8"));
        assertEquals("10.0.0.8", empty.address());
    }

    @Test
    void theGatewayRefusesToStartWithQuarkusOwnForwarding() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProxyHandler.requireOwnForwardedHandling(true));
        assertEquals(true, e.getMessage().contains("portcullis.gateway.trusted-proxies"));
        assertDoesNotThrow(() -> ProxyHandler.requireOwnForwardedHandling(false));
    }
}
