package io.portcullis.exec.domain;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.portcullis.common.validation.ValidationException;

/** Parameter values: each type's allow-list, and the guards every parameter has whatever its pattern. */
class ParameterTest {

    static final Parameter PACKAGE = new Parameter("package", ParameterType.PACKAGE_NAME, null, 100, 0, 0, false, "", null);
    /** A deliberately lax pattern: the guards must still hold. */
    static final Parameter LAX = new Parameter("text", ParameterType.STRING, Pattern.compile("^.+$"), 64, 0, 0, false, "", "anything");
    static final Parameter COUNT = new Parameter("count", ParameterType.INTEGER, null, 3, 1, 100, false, "", null);

    @ParameterizedTest
    @ValueSource(strings = { "; rm -rf /", "$(id)", "`id`", "a b", "a\nb", "..", "../x", "-rf", "--help", "ｈｅｌｌｏ",
            "hеllo", "a\u0000", "", "a/b", "a.b", "*", "a|b", "a&b", "a>b", "'a'", "\"a\"", "a\\b", "%2e%2e" })
    void packageNameRefusesEverythingButLettersDigitsDashAndUnderscore(String hostile) {
        ValidationException e = assertThrows(ValidationException.class, () -> PACKAGE.validate(hostile));
        assertThat(e.field(), equalTo("params.package"));
        if (hostile.length() > 2) {
            assertThat(e.getMessage(), not(containsString(hostile)));
        }
    }

    static final Parameter PATH = new Parameter("path", ParameterType.PATH, null, 200, 0, 0, false, "", null);

    @ParameterizedTest
    @ValueSource(strings = { "/etc/passwd", "/", "../x", "a/../b", "..", "./x", "a/./b", "a//b", "a/", "-rf", "a\\b",
            "%2e%2e/x", "a b", "a\u0000b", "é/x", "" })
    void aPathStaysInsideTheWorkFolder(String hostile) {
        ValidationException e = assertThrows(ValidationException.class, () -> PATH.validate(hostile));
        assertThat(e.field(), equalTo("params.path"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "out.txt", "reports/2026/q4.csv", "a-b_c.d", ".hidden" })
    void aRelativePathInsideIsAccepted(String ok) {
        assertThat(PATH.validate(ok), equalTo(ok));
    }

    @Test
    void packageNameLengthIsAtMostOneHundred() {
        assertThat(PACKAGE.validate("a".repeat(100)), equalTo("a".repeat(100)));
        assertThat(assertThrows(ValidationException.class, () -> PACKAGE.validate("a".repeat(101))).getMessage(),
                containsString("at most 100"));
        assertThrows(ValidationException.class, () -> PACKAGE.validate(null));
    }

    @ParameterizedTest
    @ValueSource(strings = { "a\nb", "a\rb", "a\tb", "é", "ａ", "a\u2028b", "a\u0000b", "..", "a/../b", "-n", "--", "" })
    void everyParameterRefusesControlCharactersNonAsciiDotDotAndLeadingDashWhateverItsPattern(String hostile) {
        assertThrows(ValidationException.class, () -> LAX.validate(hostile));
    }

    @Test
    void laxPatternStillAcceptsOrdinaryText() {
        assertThat(LAX.validate("; rm -rf / is just text here"), equalTo("; rm -rf / is just text here"));
    }

    @Test
    void leadingDashIsAllowedOnlyWhenDeclared() {
        Parameter dash = new Parameter("n", ParameterType.STRING, Pattern.compile("^[a-z-]+$"), 10, 0, 0, true, "", "x");
        assertThat(dash.validate("-rf"), equalTo("-rf"));
    }

    @Test
    void integerIsDigitsWithinItsRange() {
        assertThat(COUNT.validate("42"), equalTo("42"));
        for (String bad : new String[] { "0", "101", "-1", "+1", "1e2", "0x1", " 1", "1 ", "", "９" }) {
            ValidationException e = assertThrows(ValidationException.class, () -> COUNT.validate(bad), bad);
            assertThat(e.field(), equalTo("params.count"));
        }
    }
}
