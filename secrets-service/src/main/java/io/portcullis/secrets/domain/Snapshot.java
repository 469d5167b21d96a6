package io.portcullis.secrets.domain;

/**
 * The policies and the active KEK as of one generation of the database's counter. An instance keeps
 * the newest it has seen and reloads as soon as a query shows a newer generation.
 */
public record Snapshot(long generation, String activeKekId, PolicySet policies) {
}
