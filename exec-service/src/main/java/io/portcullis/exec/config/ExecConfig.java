package io.portcullis.exec.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The exec-service's settings ({@code portcullis.exec.*}). The actions themselves live in the
 * catalog file ({@link #catalog()}), not here.
 */
@ConfigMapping(prefix = "portcullis.exec")
public interface ExecConfig {

    /**
     * The action catalog: a YAML file path, or {@code classpath:<resource>}. The shipped default has
     * {@code nix-install} and a few diagnostics. A bad entry stops the start, naming the entry.
     */
    @WithDefault("classpath:exec-catalog.yaml")
    String catalog();

    /** Jobs that run at the same time (worker threads, each waiting on one sandboxed process). */
    @WithDefault("4")
    int workers();

    /**
     * Jobs that may wait for a worker. When all workers are busy and this many wait, a submission is
     * refused with 429 and {@link #retryAfter()}; nothing is queued beyond it (fail closed).
     */
    @WithDefault("32")
    int queueCapacity();

    /** The {@code Retry-After} of a 429 when the queue is full. */
    @WithDefault("PT5S")
    Duration retryAfter();

    /**
     * Where job work folders are made, one fresh empty folder per job, removed afterwards. It must
     * be a directory owned by the service, not a symbolic link, and writable by nobody else. Default:
     * a fresh private folder under {@code java.io.tmpdir}, removed at shutdown.
     */
    Optional<Path> workRoot();

    /** Finished jobs (with their output) are deleted this long after they finished. */
    @WithDefault("P30D")
    Duration retention();

    /** How often finished jobs past {@link #retention()} and jobs lost by a crashed instance are swept. */
    @WithDefault("60s")
    String housekeepingInterval();

    /** Longest {@code GET /exec/jobs/{id}?wait=} may hold a request, in seconds. */
    @WithDefault("30")
    int maxWaitSeconds();

    /** The sandbox. */
    SandboxConfig sandbox();

    interface SandboxConfig {

        /**
         * Which sandbox to build. {@code auto} takes the strongest that works on this machine:
         * {@code bubblewrap}, else {@code util-linux} (with namespaces when it runs as root). A kind
         * named explicitly that cannot be built stops the start. {@code none} runs actions without a
         * sandbox and is refused unless {@link #allowUnsandboxed()} is set.
         */
        @WithDefault("auto")
        SandboxKindSetting kind();

        /**
         * Development only: run actions without a sandbox when none can be built (or {@code kind=none}).
         * Off by default; without it, a service that cannot build a sandbox refuses every job with 503
         * and reports itself not ready (fail closed).
         */
        @WithDefault("false")
        boolean allowUnsandboxed();

        /**
         * Where the sandbox cannot give a job a network namespace of its own (util-linux where
         * {@code unshare} is not allowed: a container without {@code SYS_ADMIN}), a job shares the
         * service's network: it could reach the database, Redis, every service and a cloud's metadata
         * address. Actions that do not ask for the network are then refused (503) unless this is set,
         * which says that the platform cuts that network for the service itself (a NetworkPolicy) and
         * accepts what is left. Off by default.
         */
        @WithDefault("false")
        boolean allowSharedNetwork();

        /** The unprivileged user id jobs run as when the service runs as root ({@code nobody}). */
        @WithDefault("65534")
        int uid();

        /** The unprivileged group id jobs run as when the service runs as root ({@code nogroup}). */
        @WithDefault("65534")
        int gid();

        /**
         * Folders searched, in order, for the sandbox tools ({@code bwrap}, {@code setpriv},
         * {@code prlimit}, {@code setsid}, {@code unshare}, {@code kill}) and the self-test probes.
         * Never the service's own {@code PATH}.
         */
        @WithDefault("/usr/bin,/bin,/usr/sbin,/sbin")
        java.util.List<Path> toolPath();
    }

    /** The {@code portcullis.exec.sandbox.kind} values. */
    enum SandboxKindSetting {
        AUTO, BUBBLEWRAP, UTIL_LINUX, NONE
    }
}
