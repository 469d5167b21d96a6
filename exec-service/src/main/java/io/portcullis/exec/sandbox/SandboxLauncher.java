package io.portcullis.exec.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.portcullis.exec.domain.Limits;
import io.portcullis.exec.domain.SandboxKind;

/**
 * Builds the argv that starts one program inside the sandbox. Every layer is a small program that
 * sets one thing up and then {@code exec}s the next, so the chain ends as the action's binary with
 * no shell anywhere:
 *
 * <pre>
 * util-linux:  setsid  [setpriv --pdeathsig KILL  unshare --fork --kill-child --pid --mount-proc --ipc --uts --cgroup --net]
 *              setpriv --reuid U --regid G --clear-groups --inh-caps -all --bounding-set -all --no-new-privs --pdeathsig KILL
 *              prlimit --cpu --as --fsize --nofile --nproc --core=0   binary args...
 * bubblewrap:  setsid  setpriv ... --no-new-privs  prlimit ...
 *              bwrap --unshare-all --as-pid-1 --die-with-parent --new-session --ro-bind /usr ... --bind WORK /work --remount-ro /
 *              env -u PWD  binary args...
 * none:        setsid  prlimit ...  binary args...           (development only)
 * </pre>
 *
 * {@code setsid} makes the job a session and process group of its own, so that a timeout can kill
 * the whole tree; the pid namespace (util-linux as root, bubblewrap) makes that certain: when its
 * first process dies, the kernel kills every other one in it.
 */
public final class SandboxLauncher {

    /** The namespaces a sandbox may unshare, as named under {@code /proc/self/ns}. */
    public static final List<String> NAMESPACES = List.of("cgroup", "ipc", "mnt", "net", "pid", "user", "uts");
    /** Where the job's work folder appears inside bubblewrap. */
    public static final String BWRAP_WORKDIR = "/work";

    private final SandboxKind kind;
    private final Set<String> namespaces;
    private final boolean dropPrivileges;
    private final int uid;
    private final int gid;
    private final Path setsid;
    private final Path setpriv;
    private final Path prlimit;
    private final Path unshare;
    private final Path bwrap;
    private final Path env;

    /**
     * @param namespaces the namespaces this launcher unshares (util-linux: none, or pid, mnt, ipc, uts,
     *        cgroup, net; bubblewrap: all of them); {@code net} is kept for actions that ask for the network
     * @param dropPrivileges whether the service runs as root and must switch to {@code uid}/{@code gid}
     */
    SandboxLauncher(SandboxKind kind, Set<String> namespaces, boolean dropPrivileges, int uid, int gid, Path setsid,
            Path setpriv, Path prlimit, Path unshare, Path bwrap, Path env) {
        this.kind = kind;
        this.namespaces = Set.copyOf(namespaces);
        this.dropPrivileges = dropPrivileges;
        this.uid = uid;
        this.gid = gid;
        this.setsid = setsid;
        this.setpriv = setpriv;
        this.prlimit = prlimit;
        this.unshare = unshare;
        this.bwrap = bwrap;
        this.env = env;
    }

    public SandboxKind kind() {
        return kind;
    }

    /** The namespaces jobs get (without {@code net} for an action that asks for the network). */
    public Set<String> namespaces() {
        return namespaces;
    }

    /** Whether a job that does not ask for the network gets an empty network namespace. */
    public boolean isolatesNetwork() {
        return kind == SandboxKind.BUBBLEWRAP || namespaces.contains("net");
    }

    /** Whether jobs run as {@link #uid()}/{@link #gid()} rather than as the service's own user. */
    public boolean dropsPrivileges() {
        return dropPrivileges;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** Whether the whole job lives in a pid namespace (the kernel then kills it all with its first process). */
    public boolean pidNamespace() {
        return namespaces.contains("pid");
    }

    /** The job's work folder as the job sees it. */
    public String workdirInside(Path hostWorkDir) {
        return kind == SandboxKind.BUBBLEWRAP ? BWRAP_WORKDIR : hostWorkDir.toString();
    }

    /** The full argv: the sandbox layers, then {@code binary} and {@code args}. */
    public List<String> command(Path binary, List<String> args, Limits limits, boolean network, List<Path> readOnlyPaths,
            Path hostWorkDir) {
        List<String> cmd = new ArrayList<>(48 + args.size());
        if (setsid != null) {
            cmd.add(setsid.toString());
        }
        switch (kind) {
            case UTIL_LINUX -> {
                if (!namespaces.isEmpty()) {
                    // dies with the worker thread that started it; its namespace init dies with it
                    cmd.addAll(List.of(setpriv.toString(), "--pdeathsig", "KILL"));
                    cmd.addAll(List.of(unshare.toString(), "--fork", "--kill-child=KILL", "--pid", "--mount-proc",
                            "--propagation", "private"));
                    for (String ns : List.of("ipc", "uts", "cgroup")) {
                        if (namespaces.contains(ns)) {
                            cmd.add("--" + ns);
                        }
                    }
                    if (!network && namespaces.contains("net")) {
                        cmd.add("--net");
                    }
                }
                privileges(cmd);
                limits(cmd, limits);
            }
            case BUBBLEWRAP -> {
                privileges(cmd);
                limits(cmd, limits);
                bubblewrap(cmd, network, readOnlyPaths, hostWorkDir);
            }
            case NONE -> limits(cmd, limits);
        }
        cmd.add(binary.toString());
        cmd.addAll(args);
        return cmd;
    }

    /** The prefix that runs a helper (such as {@code kill}) as the sandbox user, so it can touch nothing else. */
    public List<String> asSandboxUser() {
        if (!dropPrivileges) {
            return List.of();
        }
        return List.of(setpriv.toString(), "--reuid", Integer.toString(uid), "--regid", Integer.toString(gid),
                "--clear-groups", "--no-new-privs");
    }

    private void privileges(List<String> cmd) {
        cmd.add(setpriv.toString());
        if (dropPrivileges) {
            // the seed's drop_privileges: groups cleared, then gid, then uid; no capability survives
            cmd.addAll(List.of("--reuid", Integer.toString(uid), "--regid", Integer.toString(gid), "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all"));
        }
        cmd.addAll(List.of("--no-new-privs", "--pdeathsig", "KILL"));
    }

    private void limits(List<String> cmd, Limits l) {
        if (prlimit == null) {
            return;
        }
        cmd.add(prlimit.toString());
        cmd.add("--cpu=" + l.cpuSeconds() + ":" + l.cpuSeconds());
        cmd.add("--as=" + l.addressSpaceBytes() + ":" + l.addressSpaceBytes());
        cmd.add("--fsize=" + l.fileSizeBytes() + ":" + l.fileSizeBytes());
        cmd.add("--nofile=" + l.openFiles() + ":" + l.openFiles());
        cmd.add("--nproc=" + l.processes() + ":" + l.processes());
        cmd.add("--core=0:0");
        cmd.add("--");
    }

    private void bubblewrap(List<String> cmd, boolean network, List<Path> readOnlyPaths, Path hostWorkDir) {
        cmd.add(bwrap.toString());
        // --as-pid-1: the job's first process is the namespace's init. bwrap's own init would be left a
        // zombie for the host's init to reap (bwrap's outer process exits without waiting for it), and
        // until then it counts against the sandbox user's process limit: a few quick jobs in a row
        // and the next one cannot fork at all.
        cmd.addAll(List.of("--unshare-all", "--as-pid-1", "--die-with-parent", "--new-session"));
        if (network) {
            cmd.add("--share-net");
        }
        cmd.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
            Path p = Path.of(top);
            if (Files.isSymbolicLink(p)) {
                try {
                    cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
                } catch (java.io.IOException e) {
                    // unreadable link: leave it out
                }
            } else if (Files.isDirectory(p)) {
                cmd.addAll(List.of("--ro-bind", top, top));
            }
        }
        cmd.addAll(List.of("--ro-bind", "/etc", "/etc"));
        for (Path p : readOnlyPaths) {
            cmd.addAll(List.of("--ro-bind-try", p.toString(), p.toString()));
        }
        // a fresh /proc and a minimal /dev (null, zero, random, tty...), read-only like the rest: the work
        // folder is the one place a job can write (device nodes such as /dev/null stay writable)
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                "--bind", hostWorkDir.toString(), BWRAP_WORKDIR, "--chdir", BWRAP_WORKDIR,
                "--remount-ro", "/", "--"));
        // bwrap always sets PWD; the job's environment is exactly the one given, so take it out again
        cmd.addAll(List.of(env.toString(), "-u", "PWD", "--"));
    }
}
