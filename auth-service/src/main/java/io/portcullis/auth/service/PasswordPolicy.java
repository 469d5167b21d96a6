package io.portcullis.auth.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;

import io.portcullis.auth.config.PasswordConfig;
import io.portcullis.common.validation.ValidationException;

/**
 * What a new password must be, after NIST SP 800-63B: between 12 and 128 characters (counted as
 * code points, so any script works), no composition rules, not a known common password nor too
 * guessable (zxcvbn, which holds tens of thousands of common and leaked passwords, names and words,
 * and sees keyboard walks, repeats, sequences and dates), and not containing the username. A refusal
 * says why, so that the user can pick better.
 */
@ApplicationScoped
public class PasswordPolicy {

    private final PasswordConfig config;
    private final Zxcvbn zxcvbn = new Zxcvbn();

    public PasswordPolicy(PasswordConfig config) {
        this.config = config;
    }

    /** @throws ValidationException on field {@code field} with the reason */
    public void check(String field, String raw, String username) {
        if (raw == null || raw.isEmpty()) {
            throw new ValidationException(field, field + " is required");
        }
        String password = PasswordHasher.normalized(raw); // judged in the form it is hashed in
        int length = password.codePointCount(0, password.length());
        if (length < config.minLength()) {
            throw new ValidationException(field, field + " must be at least " + config.minLength() + " characters");
        }
        if (length > config.maxLength()) {
            throw new ValidationException(field, field + " must be at most " + config.maxLength() + " characters");
        }
        if (username != null && username.length() >= 3
                && password.toLowerCase(Locale.ROOT).contains(username.toLowerCase(Locale.ROOT))) {
            throw new ValidationException(field, field + " must not contain the username");
        }
        List<String> context = new ArrayList<>(List.of("portcullis"));
        if (username != null) {
            context.add(username);
        }
        config.bannedWords().ifPresent(context::addAll);
        Strength strength = zxcvbn.measure(password, context);
        if (strength.getScore() < config.minStrength()) {
            String hint = strength.getFeedback().getWarning();
            throw new ValidationException(field, field + " is too common or too easy to guess"
                    + (hint == null || hint.isBlank() ? "" : " (" + hint + ")"));
        }
    }
}
