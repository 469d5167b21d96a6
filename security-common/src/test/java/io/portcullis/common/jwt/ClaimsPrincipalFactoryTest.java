package io.portcullis.common.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Set;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.TestTokens;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/** The principal factory verifies as SmallRye's does and reads every claim, standard or ours. */
class ClaimsPrincipalFactoryTest {

    private final DefaultJWTParser parser = new DefaultJWTParser(VerifiedTokenCacheTest.CountingParser.context(),
            new ClaimsPrincipalFactory());

    @Test
    void readsStandardAndCustomClaims() throws Exception {
        JsonWebToken jwt = parser.parse(TestTokens.user("user:7", "user", "ops").claim("sid", "s-123").sign());
        assertEquals(ClaimsPrincipalFactory.Principal.class, jwt.getClass());
        assertEquals("s-123", jwt.<String> getClaim("sid"));
        assertEquals("user:7", jwt.getSubject());
        assertEquals(Set.of("user", "ops"), jwt.getGroups());
        assertEquals(TestTokens.ISSUER, jwt.getIssuer());
        assertEquals(Set.of(TestTokens.AUDIENCE), jwt.getAudience());
        assertEquals("user:7", jwt.<String> getClaim(Claims.sub.name()));
        assertNull(jwt.getClaim("no-such-claim"));
    }

    @Test
    void refusesWhatSmallRyeRefuses() {
        assertThrows(ParseException.class, () -> parser.parse(TestTokens.admin().signWithUntrustedKey()));
        assertThrows(ParseException.class, () -> parser.parse(TestTokens.admin().unsigned()));
        assertThrows(ParseException.class, () -> parser.parse(TestTokens.admin().issuer("https://evil.example").sign()));
        assertThrows(ParseException.class,
                () -> parser.parse(TestTokens.admin().issuedAt(Instant.now().minusSeconds(3600)).expiresAt(Instant.now().minusSeconds(60)).sign()));
    }
}
