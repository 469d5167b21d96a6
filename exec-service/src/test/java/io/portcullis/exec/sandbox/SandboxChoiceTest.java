package io.portcullis.exec.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.portcullis.exec.config.ExecConfig;
import io.portcullis.exec.config.ExecConfig.SandboxKindSetting;
import io.portcullis.exec.domain.Catalog;
import io.portcullis.exec.domain.Limits;
import io.portcullis.exec.domain.SandboxKind;

/**
 * Which sandbox the service takes at start, outside Quarkus: it never runs unsandboxed on its own,
 * and a sandbox asked for by name that cannot be built stops the start.
 */
class SandboxChoiceTest {

    static final Catalog CATALOG = new Catalog(Map.of(), new Limits(10, 512L << 20, 16L << 20, 64, 32));
    static final List<Path> NO_TOOLS = List.of(Path.of("/nonexistent/portcullis-tools"));
    static final List<Path> SYSTEM = List.of(Path.of("/usr/bin"), Path.of("/bin"), Path.of("/usr/sbin"), Path.of("/sbin"));

    static ExecConfig config(SandboxKindSetting kind, boolean allowUnsandboxed, List<Path> toolPath) {
        ExecConfig.SandboxConfig sandbox = new ExecConfig.SandboxConfig() {
            public SandboxKindSetting kind() {
                return kind;
            }

            public boolean allowUnsandboxed() {
                return allowUnsandboxed;
            }

            public boolean allowSharedNetwork() {
                return false;
            }

            public int uid() {
                return 65534;
            }

            public int gid() {
                return 65534;
            }

            public List<Path> toolPath() {
                return toolPath;
            }
        };
        return new ExecConfig() {
            public String catalog() {
                return "classpath:exec-catalog.yaml";
            }

            public int workers() {
                return 1;
            }

            public int queueCapacity() {
                return 1;
            }

            public Duration retryAfter() {
                return Duration.ofSeconds(1);
            }

            public Optional<Path> workRoot() {
                return Optional.empty();
            }

            public Duration retention() {
                return Duration.ofDays(1);
            }

            public String housekeepingInterval() {
                return "60s";
            }

            public int maxWaitSeconds() {
                return 30;
            }

            public SandboxConfig sandbox() {
                return sandbox;
            }
        };
    }

    @Test
    void withoutAnySandboxJobsAreRefusedNotRunUnsandboxed() {
        Sandbox s = new Sandbox(config(SandboxKindSetting.AUTO, false, NO_TOOLS), CATALOG);
        try {
            assertThat(s.ready(), is(false));
            assertThat(s.launcher().kind(), equalTo(SandboxKind.NONE));
            assertThat(s.startReport().ready(), is(false));
        } finally {
            s.close();
        }
    }

    @Test
    void noneNeedsTheExplicitDevelopmentFlag() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Sandbox(config(SandboxKindSetting.NONE, false, SYSTEM), CATALOG));
        assertThat(e.getMessage(), containsString("portcullis.exec.sandbox.allow-unsandboxed=true"));
        Sandbox s = new Sandbox(config(SandboxKindSetting.NONE, true, SYSTEM), CATALOG);
        try {
            assertThat(s.ready(), is(true));
            assertThat(s.launcher().kind(), equalTo(SandboxKind.NONE));
        } finally {
            s.close();
        }
    }

    @Test
    void aSandboxNamedExplicitlyThatCannotBeBuiltStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Sandbox(config(SandboxKindSetting.BUBBLEWRAP, false, NO_TOOLS), CATALOG));
        assertThat(e.getMessage(), containsString("portcullis.exec.sandbox.kind=bubblewrap cannot be built"));
        e = assertThrows(IllegalStateException.class,
                () -> new Sandbox(config(SandboxKindSetting.UTIL_LINUX, false, NO_TOOLS), CATALOG));
        assertThat(e.getMessage(), containsString("portcullis.exec.sandbox.kind=util-linux cannot be built"));
    }

    @Test
    void autoTakesTheStrongestSandboxThatPassesItsSelfTest() {
        Sandbox s = new Sandbox(config(SandboxKindSetting.AUTO, false, SYSTEM), CATALOG);
        try {
            assertThat(s.ready(), is(true));
            boolean bwrap = List.of("/usr/bin/bwrap", "/bin/bwrap").stream().anyMatch(p -> java.nio.file.Files.isExecutable(Path.of(p)));
            assertThat(s.launcher().kind(), equalTo(bwrap ? SandboxKind.BUBBLEWRAP : SandboxKind.UTIL_LINUX));
            assertThat(s.startReport().problems(), equalTo(List.of()));
        } finally {
            s.close();
        }
    }
}
