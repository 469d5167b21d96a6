package io.portcullis.secrets.rest;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

import io.portcullis.common.validation.ValidationException;
import io.portcullis.secrets.service.SecretService;

/** Query and body numbers, parsed here so that a bad one is a 400 naming the field (never a 404). */
final class Params {

    private static final Pattern NUMBER = Pattern.compile("^[0-9]{1,9}$");

    private Params() {
    }

    static Integer optionalInt(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!NUMBER.matcher(value).matches()) {
            throw new ValidationException(field, field + " must be a whole number");
        }
        return Integer.valueOf(value);
    }

    static int intOr(String field, String value, int fallback) {
        Integer v = optionalInt(field, value);
        return v == null ? fallback : v;
    }

    /** {@code 1,2,3}: distinct version numbers, at most 100. */
    static Set<Integer> versions(String field, String csv) {
        Set<Integer> out = new LinkedHashSet<>();
        if (csv == null || csv.isEmpty()) {
            return out;
        }
        if (csv.length() > 1000) {
            throw new ValidationException(field, field + " is too long");
        }
        for (String part : csv.split(",", -1)) {
            Integer v = optionalInt(field, part.trim());
            if (v == null || v < 1) {
                throw new ValidationException(field, field + " must be a comma-separated list of version numbers");
            }
            out.add(v);
        }
        return limit(field, out);
    }

    static Set<Integer> versions(String field, Collection<Integer> list) {
        Set<Integer> out = new LinkedHashSet<>();
        if (list == null) {
            return out;
        }
        for (Integer v : list) {
            if (v == null || v < 1) {
                throw new ValidationException(field, field + " must hold version numbers (1 or more)");
            }
            out.add(v);
        }
        return limit(field, out);
    }

    private static Set<Integer> limit(String field, Set<Integer> out) {
        if (out.size() > SecretService.MAX_VERSIONS_PER_REQUEST) {
            throw new ValidationException(field, field + " may name at most " + SecretService.MAX_VERSIONS_PER_REQUEST
                    + " versions");
        }
        return out;
    }

    static <T> T body(T body) {
        if (body == null) {
            throw new ValidationException("body", "a JSON body is required");
        }
        return body;
    }
}
