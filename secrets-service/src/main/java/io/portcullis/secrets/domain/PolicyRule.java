package io.portcullis.secrets.domain;

import java.util.Set;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One grant: {@code capabilities} on {@code pathPrefix} and everything below it ({@code *}: every path). */
@RegisterForReflection
public record PolicyRule(String pathPrefix, Set<Capability> capabilities) {

    public PolicyRule {
        capabilities = Set.copyOf(capabilities);
    }

    public boolean grants(Capability capability, String path) {
        return capabilities.contains(capability) && SecretPath.covers(pathPrefix, path);
    }
}
