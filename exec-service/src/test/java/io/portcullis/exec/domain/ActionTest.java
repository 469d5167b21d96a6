package io.portcullis.exec.domain;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** How validated values become argv: one value, one argument; {@code --} before the first one where asked. */
class ActionTest {

    private static Action action(List<String> argv, boolean endOfOptions, Map<String, String> env) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("a", new Parameter("a", ParameterType.STRING, Pattern.compile("^.+$"), 50, 0, 0, true, "", "x"));
        params.put("b", new Parameter("b", ParameterType.PACKAGE_NAME, null, 100, 0, 0, false, "", null));
        return new Action("t", "", Path.of("/usr/bin/echo"), argv, params, env, Set.of("user"), Duration.ofSeconds(1), 10,
                new Limits(1, 1 << 30, 1, 8, 1), false, endOfOptions, List.of());
    }

    @Test
    void eachValueIsExactlyOneArgumentNeverSplitOrInterpreted() {
        Action a = action(List.of("-x", "{a}", "pkg.{b}", "{workdir}/out"), false, Map.of());
        assertThat(a.render(Map.of("a", "one two; $(three) `4`", "b", "p"), "/work"),
                equalTo(List.of("-x", "one two; $(three) `4`", "pkg.p", "/work/out")));
    }

    @Test
    void replacementCharactersInValuesAreLiteral() {
        Action a = action(List.of("{a}", "{b}"), false, Map.of());
        assertThat(a.render(Map.of("a", "$1 \\0 {b}", "b", "x"), "/w"), equalTo(List.of("$1 \\0 {b}", "x")));
    }

    @Test
    void doubleDashGoesBeforeTheFirstArgumentCarryingAParameter() {
        Action a = action(List.of("-v", "{workdir}", "{a}", "{b}"), true, Map.of());
        assertThat(a.render(Map.of("a", "-rf", "b", "x"), "/w"), equalTo(List.of("-v", "/w", "--", "-rf", "x")));
    }

    @Test
    void doubleDashIsNotRepeatedWhenTheTemplateHasOne() {
        Action a = action(List.of("--", "{a}", "{b}"), true, Map.of());
        assertThat(a.render(Map.of("a", "-rf", "b", "x"), "/w"), equalTo(List.of("--", "-rf", "x")));
    }

    @Test
    void environmentIsPathPlusDeclared() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "{workdir}");
        env.put("LANG", "C");
        assertThat(action(List.of("{a}", "{b}"), false, env).environment("/work"),
                equalTo(Map.of("PATH", "/usr/bin:/bin", "HOME", "/work", "LANG", "C")));
    }

    @Test
    void allowsOnlyItsGroups() {
        Action a = action(List.of("{a}", "{b}"), false, Map.of());
        assertThat(a.allows(Set.of("user", "x")), is(true));
        assertThat(a.allows(Set.of("admin", "auditor")), is(false));
        assertThat(a.allows(Set.of()), is(false));
    }
}
