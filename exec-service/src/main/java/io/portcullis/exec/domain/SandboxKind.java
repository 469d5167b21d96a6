package io.portcullis.exec.domain;

/** The sandbox a job ran in, as reported in jobs, audit events and the self-test. */
public enum SandboxKind {

    /** bubblewrap: fresh namespaces, read-only view of the system, plus everything util-linux gives. */
    BUBBLEWRAP("bubblewrap"),
    /** setpriv and prlimit (and unshare namespaces when the service runs as root). */
    UTIL_LINUX("util-linux"),
    /** No sandbox: development only, behind an explicit flag. */
    NONE("none");

    private final String label;

    SandboxKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
