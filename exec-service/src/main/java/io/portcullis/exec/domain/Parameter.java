package io.portcullis.exec.domain;

import java.util.regex.Pattern;

import io.portcullis.common.validation.Validation;
import io.portcullis.common.validation.ValidationException;

/**
 * One typed parameter of an action. A value is accepted only when it passes, in this order: its
 * type's check (presence, maximum length <em>before</em> any pattern runs, then the allow-list
 * pattern or the integer range), then the guards every parameter has whatever its pattern says:
 * printable ASCII only (no control character, line break, or look-alike letter), no {@code ..},
 * and no leading {@code -} unless {@link #allowLeadingDash()} (so a value never becomes an option).
 *
 * @param pattern the allow-list for {@link ParameterType#STRING}; null for the other types
 * @param hint what the pattern allows, in words, for the error message (never the value itself)
 */
public record Parameter(String name, ParameterType type, Pattern pattern, int maxLength, long min, long max,
        boolean allowLeadingDash, String description, String hint) {

    /** Digits only, no sign: an integer parameter can never look like an option. */
    private static final Pattern DIGITS = Pattern.compile("^[0-9]+$");
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("^[\\x20-\\x7E]*$");

    /** The name of the input field as the client knows it, as reported in a 400. */
    public String field() {
        return "params." + name;
    }

    /**
     * Checks {@code value}; returns it unchanged when it is acceptable.
     *
     * @throws ValidationException naming {@link #field()}, never echoing the value
     */
    public String validate(String value) {
        String field = field();
        switch (type) {
            case PACKAGE_NAME -> Validation.packageName(field, value);
            case STRING -> Validation.require(field, value, pattern, maxLength, hint);
            case PATH -> Validation.relativePath(field, value, maxLength);
            case INTEGER -> {
                Validation.require(field, value, DIGITS, 18, "digits");
                long n = Long.parseLong(value);
                if (n < min || n > max) {
                    throw new ValidationException(field, field + " must be between " + min + " and " + max);
                }
            }
        }
        if (!PRINTABLE_ASCII.matcher(value).matches()) {
            throw new ValidationException(field, field + " may contain only printable ASCII characters");
        }
        if (value.contains("..")) {
            throw new ValidationException(field, field + " must not contain '..'");
        }
        if (!allowLeadingDash && value.startsWith("-")) {
            throw new ValidationException(field, field + " must not start with '-'");
        }
        return value;
    }
}
