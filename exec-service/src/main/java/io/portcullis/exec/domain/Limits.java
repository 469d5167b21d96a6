package io.portcullis.exec.domain;

/**
 * The resource limits (rlimits) of a job's processes, set with {@code prlimit} before the action's
 * binary starts; soft and hard limits are equal, so the job cannot raise them.
 *
 * @param cpuSeconds RLIMIT_CPU: CPU time of each process; beyond it the kernel kills it (SIGXCPU, then SIGKILL)
 * @param addressSpaceBytes RLIMIT_AS: virtual memory of each process; allocations beyond it fail
 * @param fileSizeBytes RLIMIT_FSIZE: largest file a process may write (SIGXFSZ beyond it)
 * @param openFiles RLIMIT_NOFILE: open file descriptors per process
 * @param processes RLIMIT_NPROC: processes (and threads) of the sandbox user; fork fails beyond it
 */
public record Limits(long cpuSeconds, long addressSpaceBytes, long fileSizeBytes, long openFiles, long processes) {
}
