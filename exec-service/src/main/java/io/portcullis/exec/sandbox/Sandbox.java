package io.portcullis.exec.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;

import io.portcullis.exec.config.ExecConfig;
import io.portcullis.exec.config.ExecConfig.SandboxKindSetting;
import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.Catalog;
import io.portcullis.exec.domain.Limits;
import io.portcullis.exec.domain.SandboxKind;

/**
 * The sandbox this instance runs jobs in, chosen once at start: each candidate is built and its
 * self-test must pass from inside (an unprivileged uid, no_new_privs, no capabilities, the limits, the
 * namespaces it promises, exactly the given environment, no write outside the work folder) before
 * it is used. {@code auto} takes the strongest candidate that passes: bubblewrap, then util-linux with
 * namespaces, then util-linux without. When none passes, jobs are refused (503) and readiness is DOWN,
 * unless {@code portcullis.exec.sandbox.allow-unsandboxed} (development only) is set.
 */
@ApplicationScoped
@Startup
public class Sandbox {

    private static final Logger LOG = Logger.getLogger(Sandbox.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final int PROBE_OUTPUT = 64 * 1024;

    private final ExecConfig.SandboxConfig config;
    private final Limits probeLimits;
    private final Tools tools;
    private final WorkFolders work;
    private final ThreadPoolExecutor readers;
    private final ProcessRunner runner;
    private final boolean root;

    private volatile SandboxLauncher launcher;
    private volatile boolean ready;
    private volatile SandboxReport startReport;

    public Sandbox(ExecConfig config, Catalog catalog) {
        this.config = config.sandbox();
        this.probeLimits = catalog.defaults();
        this.tools = new Tools(config.sandbox().toolPath());
        this.work = WorkFolders.open(config.workRoot());
        AtomicInteger n = new AtomicInteger();
        // two readers per running job (workers) and per concurrent self-test (at most one) and kill helper;
        // and room for the readers a job's leftovers can hold: without a pid namespace, a process that left
        // the job's session and keeps its output open keeps its reader blocked for as long as it lives.
        // Such processes run as the sandbox user, whose process limit (RLIMIT_NPROC counts all of that
        // user's processes) caps how many can exist at once, so the readers they hold are capped too.
        long escapable = catalog.actions().values().stream().mapToLong(a -> a.limits().processes())
                .max().orElse(0);
        int maxReaders = (int) Math.min(4096, 2 * (config.workers() + 2) + 2 * Math.max(escapable, catalog.defaults().processes()));
        this.readers = new ThreadPoolExecutor(0, maxReaders, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "exec-output-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.runner = new ProcessRunner(readers, tools.find("kill"));
        this.root = Tools.currentUid() == 0;
        choose(config.sandbox().kind(), config.sandbox().allowUnsandboxed());
    }

    private void choose(SandboxKindSetting setting, boolean allowUnsandboxed) {
        if (setting == SandboxKindSetting.NONE && !allowUnsandboxed) {
            throw new IllegalStateException("portcullis.exec.sandbox.kind=none runs actions without a sandbox and needs "
                    + "portcullis.exec.sandbox.allow-unsandboxed=true (development only)");
        }
        List<String> rejected = new ArrayList<>();
        for (SandboxLauncher candidate : candidates(setting, rejected)) {
            SandboxReport report = selfTest(candidate);
            if (report.problems().isEmpty()) {
                launcher = candidate;
                ready = true;
                startReport = report;
                LOG.infof("exec sandbox: %s, namespaces %s, jobs run as uid %d with no_new_privs", candidate.kind().label(),
                        candidate.namespaces(), report.uid());
                return;
            }
            String why = candidate.kind().label() + " " + new java.util.TreeSet<>(candidate.namespaces()) + ": "
                    + String.join("; ", report.problems());
            LOG.warnf("exec sandbox candidate refused: %s", why);
            rejected.add(why);
        }
        if (setting == SandboxKindSetting.BUBBLEWRAP || setting == SandboxKindSetting.UTIL_LINUX) {
            throw new IllegalStateException("portcullis.exec.sandbox.kind=" + setting.name().toLowerCase().replace('_', '-')
                    + " cannot be built on this machine: " + String.join(" | ", rejected));
        }
        launcher = new SandboxLauncher(SandboxKind.NONE, Set.of(), false, -1, -1, tools.find("setsid").orElse(null), null,
                tools.find("prlimit").orElse(null), null, null, null);
        ready = allowUnsandboxed;
        startReport = selfTest(launcher);
        if (ready) {
            LOG.warn("exec sandbox: NONE. Actions run without a sandbox because portcullis.exec.sandbox.allow-unsandboxed "
                    + "is set; never do this outside development");
        } else {
            LOG.error("exec sandbox: none can be built on this machine; every job is refused (503) until one can. "
                    + "Install bubblewrap, or run the service as root with util-linux (setpriv, prlimit, setsid)");
        }
    }

    private List<SandboxLauncher> candidates(SandboxKindSetting setting, List<String> rejected) {
        List<SandboxLauncher> out = new ArrayList<>();
        Optional<Path> setsid = tools.find("setsid");
        Optional<Path> setpriv = tools.find("setpriv");
        Optional<Path> prlimit = tools.find("prlimit");
        Optional<Path> unshare = tools.find("unshare");
        Optional<Path> bwrap = tools.find("bwrap");
        Optional<Path> env = tools.find("env");
        if (setsid.isEmpty() || setpriv.isEmpty() || prlimit.isEmpty()) {
            rejected.add("util-linux: setsid, setpriv and prlimit are needed in " + config.toolPath());
            return out;
        }
        int uid = root ? config.uid() : -1;
        int gid = root ? config.gid() : -1;
        if (setting == SandboxKindSetting.AUTO || setting == SandboxKindSetting.BUBBLEWRAP) {
            if (bwrap.isPresent() && env.isPresent()) {
                out.add(new SandboxLauncher(SandboxKind.BUBBLEWRAP, Set.of("user", "pid", "net", "mnt", "ipc", "uts"), root,
                        uid, gid, setsid.get(), setpriv.get(), prlimit.get(), null, bwrap.get(), env.get()));
            } else {
                rejected.add("bubblewrap: bwrap and env are needed in " + config.toolPath());
            }
        }
        if (setting == SandboxKindSetting.AUTO || setting == SandboxKindSetting.UTIL_LINUX) {
            if (root && unshare.isPresent()) {
                for (Set<String> ns : List.of(Set.of("pid", "mnt", "ipc", "uts", "net", "cgroup"),
                        Set.of("pid", "mnt", "ipc", "uts", "net"))) {
                    out.add(new SandboxLauncher(SandboxKind.UTIL_LINUX, ns, true, uid, gid, setsid.get(), setpriv.get(),
                            prlimit.get(), unshare.get(), null, null));
                }
            }
            out.add(new SandboxLauncher(SandboxKind.UTIL_LINUX, Set.of(), root, uid, gid, setsid.get(), setpriv.get(),
                    prlimit.get(), null, null, null));
        }
        return out;
    }

    /** The sandbox jobs run in; its kind is {@code none} when no sandbox could be built. */
    public SandboxLauncher launcher() {
        return launcher;
    }

    /** Whether jobs may run (see the class comment). */
    public boolean ready() {
        return ready;
    }

    /** The self-test made at start. */
    public SandboxReport startReport() {
        return startReport;
    }

    public WorkFolders work() {
        return work;
    }

    public ProcessRunner runner() {
        return runner;
    }

    /** Runs the self-test now, in the sandbox jobs use (blocking: call it from a worker thread). */
    public SandboxReport selfTest() {
        return selfTest(launcher);
    }

    private SandboxReport selfTest(SandboxLauncher candidate) {
        long start = System.nanoTime();
        List<String> problems = new ArrayList<>();
        Optional<Path> head = tools.find("head");
        Optional<Path> readlink = tools.find("readlink");
        Optional<Path> touch = tools.find("touch");
        if (head.isEmpty() || readlink.isEmpty() || touch.isEmpty()) {
            problems.add("the probes head, readlink and touch are needed in " + config.toolPath());
            return report(candidate, null, Map.of(), Map.of(), null, problems, start);
        }
        Path dir = null;
        try {
            dir = work.create(UUID.randomUUID(), candidate.dropsPrivileges() ? candidate.uid() : -1,
                    candidate.dropsPrivileges() ? candidate.gid() : -1);
            Map<String, String> env = Map.of("PATH", Action.PATH);

            ProcessRunner.Result status = probe(candidate, dir, env, head.get(), List.of("-c", "65536", "/proc/self/status",
                    "/proc/self/limits", "/proc/self/environ"));
            Map<String, String> sections = status.exitCode() != null && status.exitCode() == 0 ? sections(status.stdout())
                    : Map.of();
            if (sections.isEmpty()) {
                problems.add("the probe did not run in the sandbox (" + describe(status) + ")");
                return report(candidate, null, Map.of(), Map.of(), null, problems, start);
            }
            List<String> nsPaths = new ArrayList<>();
            SandboxLauncher.NAMESPACES.forEach(ns -> nsPaths.add("/proc/self/ns/" + ns));
            ProcessRunner.Result ns = probe(candidate, dir, env, readlink.get(), nsPaths);
            Map<String, Boolean> namespaces = namespaces(new String(ns.stdout(), StandardCharsets.UTF_8));

            String marker = "selftest-" + UUID.randomUUID();
            Path outside = work.root().resolve(marker);
            ProcessRunner.Result write = probe(candidate, dir, env, touch.get(), List.of(outside.toString()));
            String writeOutside = write.exitCode() != null && write.exitCode() != 0 && !Files.exists(outside) ? "denied"
                    : "allowed";
            Files.deleteIfExists(outside);

            SandboxReport r = report(candidate, sections, namespaces, parseLimits(sections.get("/proc/self/limits")),
                    writeOutside, problems, start);
            check(candidate, r, problems);
            return report(candidate, sections, namespaces, r.limits(), writeOutside, problems, start);
        } catch (IOException e) {
            problems.add("the self-test could not prepare its work folder (" + e.getClass().getSimpleName() + ")");
            return report(candidate, null, Map.of(), Map.of(), null, problems, start);
        } finally {
            work.delete(dir);
        }
    }

    private ProcessRunner.Result probe(SandboxLauncher candidate, Path dir, Map<String, String> env, Path binary,
            List<String> args) {
        List<String> cmd = candidate.command(binary, args, probeLimits, false, List.of(), dir);
        return runner.run(candidate, cmd, env, dir, PROBE_TIMEOUT, PROBE_OUTPUT, pid -> {
        });
    }

    private static String describe(ProcessRunner.Result r) {
        if (r.error() != null) {
            return r.error();
        }
        if (r.timedOut()) {
            return "timed out";
        }
        String err = new String(r.stderr(), StandardCharsets.UTF_8).strip();
        return "exit " + r.exitCode() + (err.isEmpty() ? "" : ": " + io.portcullis.common.validation.Validation.forLog(err, 200));
    }

    /** The promises of each kind, checked against what the probe saw. */
    private void check(SandboxLauncher candidate, SandboxReport r, List<String> problems) {
        if (candidate.kind() == SandboxKind.NONE) {
            problems.add("no sandbox");
            return;
        }
        if (candidate.dropsPrivileges()) {
            if (r.uid() == null || r.uid() == 0 || r.uid() != candidate.uid()) {
                problems.add("uid inside is " + r.uid() + ", expected " + candidate.uid());
            }
            if (r.gid() == null || r.gid() == 0 || r.gid() != candidate.gid()) {
                problems.add("gid inside is " + r.gid() + ", expected " + candidate.gid());
            }
            if (r.groups() == null || r.groups().contains(0)) {
                problems.add("group 0 is kept inside");
            }
        } else if (r.uid() == null || r.uid() == 0) {
            problems.add("uid inside is 0");
        }
        if (!Boolean.TRUE.equals(r.noNewPrivs())) {
            problems.add("no_new_privs is not set inside");
        }
        if (r.capabilitiesEffective() == null || !r.capabilitiesEffective().matches("^0+$")) {
            problems.add("capabilities remain inside");
        }
        if (!List.of("PATH").equals(r.environmentKeys())) {
            problems.add("the environment inside is not exactly the given one: " + r.environmentKeys());
        }
        if (!Long.toString(probeLimits.processes()).equals(r.limits().get("processes"))
                || !Long.toString(probeLimits.addressSpaceBytes()).equals(r.limits().get("address-space"))) {
            problems.add("the limits inside are not the requested ones");
        }
        for (String ns : candidate.namespaces()) {
            if (!Boolean.TRUE.equals(r.namespaces().get(ns))) {
                problems.add("no " + ns + " namespace inside");
            }
        }
        if (!"denied".equals(r.writeOutsideWorkFolder())) {
            problems.add("a write outside the work folder succeeded");
        }
    }

    private SandboxReport report(SandboxLauncher candidate, Map<String, String> sections, Map<String, Boolean> namespaces,
            Map<String, String> limits, String writeOutside, List<String> problems, long start) {
        Map<String, String> status = sections == null ? Map.of() : statusFields(sections.get("/proc/self/status"));
        Integer uid = firstInt(status.get("Uid"));
        Integer gid = firstInt(status.get("Gid"));
        List<Integer> groups = status.containsKey("Groups") ? ints(status.get("Groups")) : null;
        List<String> envKeys = sections == null ? null : envKeys(sections.get("/proc/self/environ"));
        Boolean nnp = status.containsKey("NoNewPrivs") ? "1".equals(status.get("NoNewPrivs")) : null;
        List<String> launcherPrefix = candidate.command(Path.of("/usr/bin/true"), List.of(), probeLimits, false, List.of(),
                work.root().resolve("<job>"));
        launcherPrefix = launcherPrefix.subList(0, launcherPrefix.size() - 1);
        boolean isReady = candidate == launcher ? ready : problems.isEmpty();
        return new SandboxReport(candidate.kind().label(), isReady, uid, gid, groups, envKeys, nnp, status.get("CapEff"),
                status.get("CapBnd"), limits, namespaces, writeOutside, List.copyOf(launcherPrefix),
                (System.nanoTime() - start) / 1_000_000, List.copyOf(problems));
    }

    /** Splits {@code head}'s output into files by its {@code ==> name <==} headers. */
    static Map<String, String> sections(byte[] output) {
        String text = new String(output, StandardCharsets.ISO_8859_1);
        Map<String, String> out = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^==> (.+?) <==\\n").matcher(text);
        String name = null;
        int from = 0;
        while (m.find()) {
            if (name != null) {
                out.put(name, text.substring(from, m.start()));
            }
            name = m.group(1);
            from = m.end();
        }
        if (name != null) {
            out.put(name, text.substring(from));
        }
        return out;
    }

    private static Map<String, String> statusFields(String status) {
        Map<String, String> out = new LinkedHashMap<>();
        if (status == null) {
            return out;
        }
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    private static Integer firstInt(String s) {
        List<Integer> all = ints(s);
        return all == null || all.isEmpty() ? null : all.get(0);
    }

    private static List<Integer> ints(String s) {
        if (s == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : s.trim().split("\\s+")) {
            if (!part.isEmpty()) {
                out.add(Integer.parseInt(part));
            }
        }
        return out;
    }

    private static List<String> envKeys(String environ) {
        if (environ == null) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        for (String entry : environ.split("\u0000")) {
            entry = entry.strip();
            if (!entry.isEmpty()) {
                int eq = entry.indexOf('=');
                keys.add(eq < 0 ? entry : entry.substring(0, eq));
            }
        }
        return keys;
    }

    private static final Map<String, String> LIMIT_ROWS = Map.of("Max cpu time", "cpu-seconds", "Max address space",
            "address-space", "Max file size", "file-size", "Max open files", "open-files", "Max processes", "processes",
            "Max core file size", "core-size");

    static Map<String, String> parseLimits(String limits) {
        Map<String, String> out = new java.util.TreeMap<>();
        if (limits == null) {
            return out;
        }
        for (String line : limits.split("\n")) {
            for (Map.Entry<String, String> row : LIMIT_ROWS.entrySet()) {
                if (line.startsWith(row.getKey() + " ")) {
                    String[] values = line.substring(row.getKey().length()).trim().split("\\s+");
                    out.put(row.getValue(), values[0]);
                }
            }
        }
        return out;
    }

    /** Which namespaces differ from the service's own, from lines such as {@code net:[4026531833]}. */
    static Map<String, Boolean> namespaces(String readlinkOutput) {
        Map<String, String> inside = new LinkedHashMap<>();
        for (String line : readlinkOutput.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                inside.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        Map<String, Boolean> out = new java.util.TreeMap<>();
        for (String ns : SandboxLauncher.NAMESPACES) {
            String mine;
            try {
                mine = Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString();
                mine = mine.substring(mine.indexOf(':') + 1);
            } catch (IOException | UnsupportedOperationException e) {
                continue;
            }
            String theirs = inside.get(ns);
            if (theirs != null) {
                out.put(ns, !theirs.equals(mine));
            }
        }
        return out;
    }

    @PreDestroy
    void close() {
        readers.shutdownNow();
        work.close();
    }
}
