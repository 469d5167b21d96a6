package io.portcullis.exec.domain;

/** A job's life: {@code queued -> running -> succeeded | failed | timed_out}. */
public enum JobStatus {
    QUEUED("queued"), RUNNING("running"), SUCCEEDED("succeeded"), FAILED("failed"), TIMED_OUT("timed_out");

    private final String label;

    JobStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean finished() {
        return this != QUEUED && this != RUNNING;
    }

    public static JobStatus ofLabel(String label) {
        for (JobStatus s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown job status");
    }
}
