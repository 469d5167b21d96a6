package io.portcullis.secrets.domain;

import java.util.Set;

/**
 * Who is asking: the audit actor ({@code user:<id>} or {@code svc:<name>}) and the groups of their
 * token, which is all that policies look at.
 */
public record Caller(String actor, Set<String> groups) {

    public Caller {
        groups = Set.copyOf(groups);
    }
}
