package io.portcullis.exec.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.portcullis.common.validation.ValidationException;
import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.Catalog;
import io.portcullis.exec.domain.ParameterType;

/** The catalog file: the shipped one loads, and each kind of bad entry stops the start naming it. */
class CatalogLoaderTest {

    private static final String GOOD = """
            actions:
              greet:
                binary: /usr/bin/echo
                argv: ["hello", "{name}"]
                parameters:
                  name: {type: string, pattern: "^[a-z]+$", max-length: 10}
                groups: [user]
            """;

    @Test
    void shippedCatalogHasNixInstallAndDiagnostics() {
        Catalog c = CatalogLoader.load("classpath:exec-catalog.yaml");
        assertThat(c.actions().keySet(), hasItems("nix-install", "system-info", "date-utc", "whoami"));
        Action nix = c.find("nix-install").orElseThrow();
        assertThat(nix.binary().toString(), equalTo("/nix/var/nix/profiles/default/bin/nix-env"));
        assertThat(nix.parameters().get("package").type(), equalTo(ParameterType.PACKAGE_NAME));
        assertThat(nix.render(java.util.Map.of("package", "ripgrep"), "/work"), equalTo(List.of("-iA", "nixpkgs.ripgrep")));
        assertThat(nix.network(), is(true));
        assertThat(nix.timeout(), equalTo(Duration.ofMinutes(10)));
        assertThat(nix.environment("/work").get("HOME"), equalTo("/work"));
        // the seed's validate_package_name, through the catalog
        assertThrows(ValidationException.class, () -> nix.parameters().get("package").validate("a".repeat(101)));
        assertThrows(ValidationException.class, () -> nix.parameters().get("package").validate("; rm -rf /"));
        assertThat(nix.parameters().get("package").validate("a".repeat(100)), equalTo("a".repeat(100)));
    }

    /**
     * end-of-options puts '--' before the first argument with a parameter; after an option that takes
     * a value ("-e {pattern}") it would become that value, and a pattern like "-f/etc/shadow" an option.
     */
    @Test
    void anImplicitEndOfOptionsInsideAnOptionIsRefused() {
        for (String argv : new String[] { "[\"-e\", \"{pattern}\", \"{file}\"]", "[\"--regexp={pattern}\", \"{file}\"]" }) {
            CatalogException e = assertThrows(CatalogException.class, () -> CatalogLoader.parse("t", """
                    actions:
                      search:
                        binary: /usr/bin/grep
                        argv: %s
                        end-of-options: true
                        parameters:
                          pattern: {type: string, pattern: "^[A-Za-z0-9/_-]+$", max-length: 32, allow-leading-dash: true}
                          file: {type: string, pattern: "^[a-z]+$", max-length: 32}
                        groups: [user]
                    """.formatted(argv)), argv);
            assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("write '--' in argv where the options end"));
        }
        // written where the options end, it is the author's '--' and nothing is inserted
        Action ok = CatalogLoader.parse("t", """
                actions:
                  search:
                    binary: /usr/bin/grep
                    argv: ["-e", "{pattern}", "--", "{file}"]
                    parameters:
                      pattern: {type: string, pattern: "^[A-Za-z0-9/_-]+$", max-length: 32}
                      file: {type: string, pattern: "^[a-z]+$", max-length: 32}
                    groups: [user]
                """).find("search").orElseThrow();
        assertThat(ok.render(java.util.Map.of("pattern", "abc", "file", "x"), "/w"), equalTo(List.of("-e", "abc", "--", "x")));
    }

    @Test
    void defaultsApplyWhereAnActionSaysNothing() {
        Action a = CatalogLoader.parse("t", GOOD).find("greet").orElseThrow();
        assertThat(a.timeout(), equalTo(Duration.ofSeconds(30)));
        assertThat(a.maxOutputBytes(), equalTo(64 * 1024));
        assertThat(a.limits().processes(), equalTo(64L));
        assertThat(a.network(), is(false));
        assertThat(a.environment("/w"), equalTo(java.util.Map.of("PATH", "/usr/bin:/bin")));
    }

    @Test
    void sizesAndDurationsTakeUnits() {
        Action a = CatalogLoader.parse("t", """
                defaults: {timeout: 500ms, max-output: 2KiB, limits: {address-space: 1GiB}}
                actions:
                  x: {binary: /usr/bin/true, groups: [admin], limits: {file-size: 3MiB}, timeout: PT2M}
                """).find("x").orElseThrow();
        assertThat(a.timeout(), equalTo(Duration.ofMinutes(2)));
        assertThat(a.maxOutputBytes(), equalTo(2048));
        assertThat(a.limits().addressSpaceBytes(), equalTo(1L << 30));
        assertThat(a.limits().fileSizeBytes(), equalTo(3L << 20));
    }

    /** Each row: what is wrong (an action 'x' built around it), and words the error must contain. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            relative binary           | binary: usr/bin/true                                            | action 'x': binary
            binary with dot-dot       | binary: /usr/bin/../bin/true                                    | normalised
            binary with a space       | binary: '/usr/bin/my tool'                                      | absolute path
            unknown key (a typo)      | binary: /usr/bin/true, grups: [user]                            | unknown key 'grups'
            no groups                 | binary: /usr/bin/true                                           | 'groups'
            unknown group             | binary: /usr/bin/true, groups: [root]                           | 'groups' may contain only
            undeclared placeholder    | binary: /bin/echo, argv: ['{name}']                             | {name}, which is not a declared parameter
            unused parameter          | binary: /bin/echo, parameters: {name: {type: package-name}}     | parameter 'name' is declared but no argv
            stray brace               | binary: /bin/echo, argv: ['a}b']                                | '{' and '}' may appear only in a placeholder
            string without pattern    | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: string, max-length: 5}} | needs an allow-list 'pattern'
            pattern that fails        | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: string, pattern: '[a-', max-length: 5}} | does not compile
            string without max-length | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: string, pattern: 'a'}} | 'max-length'
            unknown type              | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: file}} | 'type' must be
            path with a pattern       | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: path, pattern: '.*'}} | pattern
            integer without range     | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: integer}} | 'min' and 'max'
            pattern on package-name   | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: package-name, pattern: '.*'}} | does not apply
            dash without end marker   | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: string, pattern: '.+', max-length: 5, allow-leading-dash: true}} | no '--' comes before it
            reserved parameter name   | binary: /bin/echo, argv: ['{workdir}'], parameters: {workdir: {type: package-name}} | reserved
            PATH in env               | binary: /bin/true, env: {PATH: /tmp}                             | PATH is always /usr/bin:/bin
            LD_PRELOAD in env         | binary: /bin/true, env: {LD_PRELOAD: /tmp/x.so}                   | LD_* variables
            parameter in env          | binary: /bin/echo, argv: ['{n}'], parameters: {n: {type: package-name}}, env: {X: '{n}'} | only {workdir}
            timeout too long          | binary: /bin/true, timeout: 25h                                   | between 100ms and 24h
            timeout not a duration    | binary: /bin/true, timeout: soon                                  | must be a duration
            output cap too big        | binary: /bin/true, max-output: 1GiB                               | max-output must be between
            too few open files        | binary: /bin/true, limits: {open-files: 2}                        | open-files must be between
            negative processes        | binary: /bin/true, limits: {processes: -1}                        | processes must be
            network not a boolean     | binary: /bin/true, network: 'yes'                                 | true or false
            """)
    void badEntryStopsTheStartNamingIt(String what, String entry, String expected) {
        CatalogException e = assertThrows(CatalogException.class, () -> CatalogLoader.parse("test.yaml", yamlOf(what, entry)));
        assertThat(e.getMessage(), containsString("exec catalog test.yaml"));
        assertThat(e.getMessage(), containsString(expected));
    }

    /** The action 'x' with {@code entry}, and groups [user] unless the row is about groups. */
    private static String yamlOf(String what, String entry) {
        if (what.equals("no groups") || entry.contains("groups")) {
            return "actions:\n  x: {" + entry + "}\n";
        }
        return "actions:\n  x: {" + entry + ", groups: [user]}\n";
    }

    @Test
    void badActionNameIsRefused() {
        CatalogException e = assertThrows(CatalogException.class,
                () -> CatalogLoader.parse("t", "actions:\n  Rm_All: {binary: /bin/true, groups: [user]}\n"));
        assertThat(e.getMessage(), containsString("action 'Rm_All'"));
    }

    @Test
    void duplicateActionIsRefused() {
        CatalogException e = assertThrows(CatalogException.class, () -> CatalogLoader.parse("t", """
                actions:
                  x: {binary: /bin/true, groups: [user]}
                  x: {binary: /bin/false, groups: [user]}
                """));
        assertThat(e.getMessage(), containsString("Duplicate field 'x'"));
    }

    @Test
    void emptyOrMissingCatalogIsRefused() {
        assertThrows(CatalogException.class, () -> CatalogLoader.parse("t", ""));
        assertThrows(CatalogException.class, () -> CatalogLoader.parse("t", "actions: {}\n"));
        assertThrows(CatalogException.class, () -> CatalogLoader.parse("t", "- not a mapping\n"));
        CatalogException e = assertThrows(CatalogException.class, () -> CatalogLoader.load("/nonexistent/catalog.yaml"));
        assertThat(e.getMessage(), containsString("/nonexistent/catalog.yaml"));
    }
}
