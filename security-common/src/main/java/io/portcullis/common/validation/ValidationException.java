package io.portcullis.common.validation;

import io.portcullis.common.problem.ProblemException;

/**
 * An input that failed validation: a 400 problem naming the field. The message says what is
 * allowed; it never repeats the rejected value (which may be hostile, huge, or a secret).
 */
public class ValidationException extends ProblemException {

    public ValidationException(String field, String message) {
        super(400, "validation", "Invalid input", message, field, java.util.Map.of());
    }
}
