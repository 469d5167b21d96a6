package io.portcullis.exec.domain;

/** How a parameter's value is checked (see {@link Parameter#validate}). */
public enum ParameterType {
    /** The seed's {@code validate_package_name}: {@code ^[a-zA-Z0-9_-]+$}, at most 100 characters. */
    PACKAGE_NAME("package-name"),
    /** A string that must match the parameter's own allow-list pattern and maximum length. */
    STRING("string"),
    /** A decimal integer between the parameter's {@code min} and {@code max}. */
    INTEGER("integer"),
    /**
     * A path inside the job's work folder (where the job runs): relative, letters, digits, '.', '-',
     * '_' and '/', no empty, '.' or '..' segment (the seed's {@code validate_file_path}, {@code Validation.relativePath}).
     */
    PATH("path");

    private final String label;

    ParameterType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ParameterType ofLabel(String label) {
        for (ParameterType t : values()) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        return null;
    }
}
