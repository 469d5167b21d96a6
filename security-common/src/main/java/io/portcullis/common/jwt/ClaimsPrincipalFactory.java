package io.portcullis.common.jwt;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.jwt.Claims;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtContext;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * SmallRye JWT's principal factory, verifying exactly as it does ({@link DefaultJWTTokenParser}), but
 * producing principals whose lookup of a claim outside the MicroProfile {@link Claims} enum (our
 * {@code sid}) does not throw and catch an {@code IllegalArgumentException} from {@code Enum.valueOf}:
 * the revocation check reads {@code sid} on every request, and filling in that exception's stack
 * trace cost more than the rest of the check.
 */
@Alternative
@Priority(1)
@Singleton
public class ClaimsPrincipalFactory extends JWTCallerPrincipalFactory {

    private static final Map<String, Claims> KNOWN = Arrays.stream(Claims.values())
            .collect(Collectors.toUnmodifiableMap(Claims::name, Function.identity()));

    private final DefaultJWTTokenParser parser = new DefaultJWTTokenParser();

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        JwtContext context = parser.parse(token, authContextInfo);
        String type = context.getJoseObjects().get(0).getHeader("typ");
        return new Principal(type, context.getJwtClaims());
    }

    /** {@link DefaultJWTCallerPrincipal} with an exception-free claim-type lookup. */
    public static final class Principal extends DefaultJWTCallerPrincipal {

        Principal(String type, JwtClaims claims) {
            super(type, claims);
        }

        @Override
        protected Claims getClaimType(String claimName) {
            return KNOWN.getOrDefault(claimName, Claims.UNKNOWN);
        }
    }
}
