package io.portcullis.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** What one client controls: an IPv4 address, an IPv6 /64. */
class ClientIpTest {

    @Test
    void anIpv6AddressCountsAsItsSlash64() {
        assertEquals("2001:db8:1:2::/64", ClientIp.network("2001:db8:1:2::1"));
        assertEquals("2001:db8:1:2::/64", ClientIp.network("2001:0db8:0001:0002:ffff:1:2:3"));
        assertEquals("2001:db8:1:2::/64", ClientIp.network("[2001:db8:1:2::9]"));
        assertNotEquals(ClientIp.network("2001:db8:1:2::1"), ClientIp.network("2001:db8:1:3::1"));
    }

    @Test
    void anythingElseIsLeftAsItIsAndNeverResolved() {
        assertEquals("203.0.113.9", ClientIp.network("203.0.113.9"));
        assertEquals("::ffff:zz", ClientIp.network("::ffff:zz"));
        assertEquals("host.example:80", ClientIp.network("host.example:80"));
        assertEquals(null, ClientIp.network(null));
    }
}
