package io.portcullis.exec.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInRelativeOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.portcullis.exec.domain.Limits;
import io.portcullis.exec.domain.SandboxKind;

/** The argv each sandbox builds: layers in order, no shell, the job's argv untouched at the end. */
class SandboxLauncherTest {

    static final Path P = Path.of("/usr/bin");
    static final Limits LIMITS = new Limits(10, 1L << 29, 1L << 24, 64, 32);
    static final Path WORK = Path.of("/var/lib/exec/job-1");

    static SandboxLauncher utilLinux(Set<String> ns) {
        return new SandboxLauncher(SandboxKind.UTIL_LINUX, ns, true, 65534, 65534, P.resolve("setsid"), P.resolve("setpriv"),
                P.resolve("prlimit"), P.resolve("unshare"), null, null);
    }

    static SandboxLauncher bubblewrap() {
        return new SandboxLauncher(SandboxKind.BUBBLEWRAP, Set.of("user", "pid", "net", "mnt", "ipc", "uts"), true, 65534,
                65534, P.resolve("setsid"), P.resolve("setpriv"), P.resolve("prlimit"), null, P.resolve("bwrap"),
                P.resolve("env"));
    }

    @Test
    void utilLinuxDropsPrivilegesSetsLimitsThenExecsTheBinaryWithItsArgvUntouched() {
        List<String> cmd = utilLinux(Set.of()).command(Path.of("/usr/bin/echo"), List.of("a b", "; rm -rf /"), LIMITS, false,
                List.of(), WORK);
        assertThat(cmd, equalTo(List.of("/usr/bin/setsid",
                "/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--pdeathsig", "KILL",
                "/usr/bin/prlimit", "--cpu=10:10", "--as=536870912:536870912", "--fsize=16777216:16777216",
                "--nofile=64:64", "--nproc=32:32", "--core=0:0", "--",
                "/usr/bin/echo", "a b", "; rm -rf /")));
    }

    @Test
    void utilLinuxWithNamespacesUnsharesAllButTheNetworkWhenTheActionAsksForIt() {
        SandboxLauncher l = utilLinux(Set.of("pid", "mnt", "ipc", "uts", "net", "cgroup"));
        List<String> isolated = l.command(Path.of("/usr/bin/true"), List.of(), LIMITS, false, List.of(), WORK);
        assertThat(isolated, containsInRelativeOrder("/usr/bin/setsid", "/usr/bin/unshare", "--pid", "--mount-proc", "--net",
                "/usr/bin/setpriv", "--no-new-privs", "/usr/bin/prlimit", "/usr/bin/true"));
        List<String> networked = l.command(Path.of("/usr/bin/true"), List.of(), LIMITS, true, List.of(), WORK);
        assertThat(networked, not(hasItem("--net")));
        assertThat(networked, hasItem("--pid"));
    }

    @Test
    void bubblewrapShowsTheSystemReadOnlyAndOnlyTheWorkFolderWritable() {
        List<String> cmd = bubblewrap().command(Path.of("/usr/bin/id"), List.of("-u"), LIMITS, false, List.of(Path.of("/nix")),
                WORK);
        assertThat(cmd, containsInRelativeOrder("/usr/bin/setpriv", "--no-new-privs", "/usr/bin/prlimit", "/usr/bin/bwrap",
                "--unshare-all", "--as-pid-1", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
                "--ro-bind-try", "/nix", "/nix", "--remount-ro", "/dev", "--bind", WORK.toString(), "/work", "--chdir", "/work",
                "--remount-ro", "/", "--", "/usr/bin/env", "-u", "PWD", "--", "/usr/bin/id", "-u"));
        assertThat(cmd, not(hasItem("--share-net")));
        assertThat(bubblewrap().command(Path.of("/usr/bin/id"), List.of(), LIMITS, true, List.of(), WORK), hasItem("--share-net"));
        assertThat(bubblewrap().workdirInside(WORK), equalTo("/work"));
    }

    @Test
    void noLayerIsAShell() {
        for (SandboxLauncher l : List.of(utilLinux(Set.of()), utilLinux(Set.of("pid", "net")), bubblewrap())) {
            for (String arg : l.command(Path.of("/usr/bin/true"), List.of(), LIMITS, false, List.of(), WORK)) {
                assertThat(arg, not(org.hamcrest.Matchers.matchesPattern("^(/usr)?/bin/(ba|da|z|k)?sh$")));
                assertThat(arg, not(equalTo("-c")));
            }
        }
    }

    @Test
    void helperRunsAsTheSandboxUser() {
        assertThat(utilLinux(Set.of()).asSandboxUser(), containsInRelativeOrder("/usr/bin/setpriv", "--reuid", "65534"));
    }
}
