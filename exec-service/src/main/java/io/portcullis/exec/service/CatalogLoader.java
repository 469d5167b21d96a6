package io.portcullis.exec.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.Catalog;
import io.portcullis.exec.domain.Limits;
import io.portcullis.exec.domain.Parameter;
import io.portcullis.exec.domain.ParameterType;

/**
 * Reads and checks the action catalog (YAML, format in the README). Everything is checked at start,
 * and the first problem stops the start with a message naming the file, the action and the key:
 * unknown keys (a typo is an error, not a silent default), duplicate keys, a relative or unnormalised
 * binary path, a placeholder without its parameter or a parameter without its placeholder, a pattern
 * that does not compile, a limit out of range, an unknown group. The tree is read without data binding,
 * so nothing needs reflection in a native image.
 */
public final class CatalogLoader {

    /** The JWT groups of the suite (DESIGN.md). */
    public static final Set<String> GROUPS = Set.of("admin", "user", "auditor", "service");

    static final Pattern ACTION_NAME = Pattern.compile("^[a-z][a-z0-9-]{0,63}$");
    static final Pattern PARAMETER_NAME = Pattern.compile("^[a-z][a-z0-9_]{0,63}$");
    static final Pattern ENV_NAME = Pattern.compile("^[A-Z_][A-Z0-9_]{0,63}$");
    static final Pattern ABSOLUTE_PATH = Pattern.compile("^(/[A-Za-z0-9._+-]+)+$");
    private static final Pattern SIZE = Pattern.compile("^([0-9]{1,15})\\s*(B|KiB|MiB|GiB)?$");
    private static final Pattern SHORT_DURATION = Pattern.compile("^([0-9]{1,9})(ms|s|m|h)$");

    static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    static final int MAX_OUTPUT = 16 * 1024 * 1024;
    static final int MAX_ARGV = 64;

    private static final Set<String> TOP_KEYS = Set.of("defaults", "actions");
    private static final Set<String> DEFAULT_KEYS = Set.of("timeout", "max-output", "limits");
    private static final Set<String> LIMIT_KEYS = Set.of("cpu-seconds", "address-space", "file-size", "open-files",
            "processes");
    private static final Set<String> ACTION_KEYS = Set.of("description", "binary", "argv", "parameters", "env", "groups",
            "timeout", "max-output", "limits", "network", "end-of-options", "read-only-paths");
    private static final Set<String> PARAMETER_KEYS = Set.of("type", "description", "pattern", "hint", "max-length", "min",
            "max", "allow-leading-dash");

    private final String source;

    private CatalogLoader(String source) {
        this.source = source;
    }

    /** Loads {@code location}: a file path, or {@code classpath:<resource>}. */
    public static Catalog load(String location) {
        CatalogLoader loader = new CatalogLoader(location);
        try (InputStream in = open(location)) {
            return loader.parse(in);
        } catch (IOException e) {
            throw new CatalogException("exec catalog " + location + ": cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Parses YAML text (for tests). */
    public static Catalog parse(String source, String yaml) {
        try {
            return new CatalogLoader(source).parse(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new CatalogException("exec catalog " + source + ": cannot be read", e);
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new java.io.FileNotFoundException(resource);
            }
            return in;
        }
        return Files.newInputStream(Path.of(location));
    }

    private Catalog parse(InputStream in) throws IOException {
        YAMLMapper mapper = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
        JsonNode root;
        try {
            root = mapper.readTree(in);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw fail("is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw fail("must be a mapping with 'actions'");
        }
        keys(root, TOP_KEYS, "");
        JsonNode defaults = root.path("defaults");
        if (!defaults.isMissingNode() && !defaults.isObject()) {
            throw fail("'defaults' must be a mapping");
        }
        keys(defaults, DEFAULT_KEYS, "defaults: ");
        Duration defaultTimeout = duration(defaults.get("timeout"), Duration.ofSeconds(30), "defaults: timeout");
        int defaultOutput = (int) size(defaults.get("max-output"), 64 * 1024, 1, MAX_OUTPUT, "defaults: max-output");
        Limits defaultLimits = limits(defaults.get("limits"), new Limits(30, 1L << 30, 64L << 20, 256, 64), "defaults: ");

        JsonNode actions = root.get("actions");
        if (actions == null || !actions.isObject() || actions.isEmpty()) {
            throw fail("'actions' must be a non-empty mapping of action names to actions");
        }
        Map<String, Action> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = actions.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), action(e.getKey(), e.getValue(), defaultTimeout, defaultOutput, defaultLimits));
        }
        return new Catalog(out, defaultLimits);
    }

    private Action action(String name, JsonNode node, Duration defaultTimeout, int defaultOutput, Limits defaultLimits) {
        String where = "action '" + printable(name) + "': ";
        if (!ACTION_NAME.matcher(name).matches()) {
            throw fail(where + "the name may contain only a-z, 0-9 and '-', starting with a letter, at most 64");
        }
        if (node == null || !node.isObject()) {
            throw fail(where + "must be a mapping");
        }
        keys(node, ACTION_KEYS, where);
        String description = text(node.get("description"), "", where + "description");

        String binaryText = text(node.get("binary"), null, where + "binary");
        if (binaryText == null) {
            throw fail(where + "'binary' is required");
        }
        Path binary = absolutePath(binaryText, where + "binary");

        Map<String, Parameter> parameters = new LinkedHashMap<>();
        JsonNode params = node.get("parameters");
        if (params != null && !params.isNull()) {
            if (!params.isObject()) {
                throw fail(where + "'parameters' must be a mapping of parameter names to parameters");
            }
            Iterator<Map.Entry<String, JsonNode>> it = params.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                parameters.put(e.getKey(), parameter(where, e.getKey(), e.getValue()));
            }
        }

        List<String> argv = new ArrayList<>();
        JsonNode argvNode = node.get("argv");
        if (argvNode != null && !argvNode.isNull()) {
            if (!argvNode.isArray()) {
                throw fail(where + "'argv' must be a list of strings");
            }
            for (JsonNode a : argvNode) {
                if (!a.isTextual() && !a.isNumber()) {
                    throw fail(where + "'argv' must be a list of strings");
                }
                argv.add(a.asText());
            }
        }
        if (argv.size() > MAX_ARGV) {
            throw fail(where + "'argv' has more than " + MAX_ARGV + " elements");
        }
        boolean endOfOptions = bool(node.get("end-of-options"), false, where + "end-of-options");
        Set<String> used = new LinkedHashSet<>();
        boolean endMarked = false;
        boolean implicitEndPlaced = false;
        for (int i = 0; i < argv.size(); i++) {
            String element = argv.get(i);
            String at = where + "argv[" + i + "]: ";
            if (element.isEmpty() || element.length() > 4096 || element.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                throw fail(at + "must be 1 to 4096 characters without control characters");
            }
            endMarked |= element.equals("--");
            Set<String> here = placeholders(element, at);
            for (String p : here) {
                if (!p.equals(Action.WORKDIR) && !parameters.containsKey(p)) {
                    throw fail(at + "uses {" + p + "}, which is not a declared parameter");
                }
                if (!p.equals(Action.WORKDIR) && !endOfOptions && !endMarked && parameters.get(p).allowLeadingDash()) {
                    throw fail(at + "parameter '" + p + "' may start with '-' but no '--' comes before it: "
                            + "set end-of-options: true (if the binary understands '--') or forbid the leading dash");
                }
            }
            boolean carries = here.stream().anyMatch(p -> !p.equals(Action.WORKDIR));
            if (carries && endOfOptions && !endMarked && !implicitEndPlaced) {
                // the '--' that end-of-options puts before this element must stand at an option
                // boundary: after an option it becomes that option's value ("-e -- <value>"), and the
                // value, moved behind it, could then be read as an option
                if (element.startsWith("-") || i > 0 && argv.get(i - 1).startsWith("-")) {
                    throw fail(at + "with end-of-options, the '--' would go inside an option (" + (element.startsWith("-")
                            ? element : argv.get(i - 1) + " " + element) + "): write '--' in argv where the options end");
                }
                implicitEndPlaced = true;
            }
            used.addAll(here);
        }
        for (String p : parameters.keySet()) {
            if (!used.contains(p)) {
                throw fail(where + "parameter '" + p + "' is declared but no argv element uses {" + p + "}");
            }
        }

        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = node.get("env");
        if (envNode != null && !envNode.isNull()) {
            if (!envNode.isObject()) {
                throw fail(where + "'env' must be a mapping of names to values");
            }
            Iterator<Map.Entry<String, JsonNode>> it = envNode.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String at = where + "env '" + printable(key) + "': ";
                if (!ENV_NAME.matcher(key).matches()) {
                    throw fail(at + "names are A-Z, 0-9 and '_'");
                }
                if (key.equals("PATH") || key.startsWith("LD_")) {
                    throw fail(at + "PATH is always /usr/bin:/bin and LD_* variables are not allowed");
                }
                String value = text(e.getValue(), null, at + "value");
                if (value == null || value.length() > 4096 || value.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                    throw fail(at + "the value must be a string of at most 4096 characters without control characters");
                }
                for (String p : placeholders(value, at)) {
                    if (!p.equals(Action.WORKDIR)) {
                        throw fail(at + "only {workdir} may be used in an env value");
                    }
                }
                env.put(key, value);
            }
        }

        JsonNode groupsNode = node.get("groups");
        if (groupsNode == null || !groupsNode.isArray() || groupsNode.isEmpty()) {
            throw fail(where + "'groups' must list the groups that may run it (admin, user, auditor, service)");
        }
        Set<String> groups = new LinkedHashSet<>();
        for (JsonNode g : groupsNode) {
            if (!g.isTextual() || !GROUPS.contains(g.asText())) {
                throw fail(where + "'groups' may contain only " + String.join(", ", new java.util.TreeSet<>(GROUPS)));
            }
            groups.add(g.asText());
        }

        Duration timeout = duration(node.get("timeout"), defaultTimeout, where + "timeout");
        int maxOutput = (int) size(node.get("max-output"), defaultOutput, 1, MAX_OUTPUT, where + "max-output");
        Limits limits = limits(node.get("limits"), defaultLimits, where);
        boolean network = bool(node.get("network"), false, where + "network");

        List<Path> readOnly = new ArrayList<>();
        JsonNode ro = node.get("read-only-paths");
        if (ro != null && !ro.isNull()) {
            if (!ro.isArray()) {
                throw fail(where + "'read-only-paths' must be a list of absolute paths");
            }
            for (JsonNode p : ro) {
                readOnly.add(absolutePath(text(p, "", where + "read-only-paths"), where + "read-only-paths"));
            }
        }
        return new Action(name, description, binary, argv, parameters, env, groups, timeout, maxOutput, limits, network,
                endOfOptions, readOnly);
    }

    private Parameter parameter(String actionWhere, String name, JsonNode node) {
        String where = actionWhere + "parameter '" + printable(name) + "': ";
        if (!PARAMETER_NAME.matcher(name).matches() || name.equals(Action.WORKDIR)) {
            throw fail(where + "the name may contain only a-z, 0-9 and '_', starting with a letter, at most 64 "
                    + "('workdir' is reserved)");
        }
        if (node == null || !node.isObject()) {
            throw fail(where + "must be a mapping");
        }
        keys(node, PARAMETER_KEYS, where);
        String typeText = text(node.get("type"), null, where + "type");
        ParameterType type = typeText == null ? null : ParameterType.ofLabel(typeText);
        if (type == null) {
            throw fail(where + "'type' must be package-name, string, integer or path");
        }
        String description = text(node.get("description"), "", where + "description");
        boolean leadingDash = bool(node.get("allow-leading-dash"), false, where + "allow-leading-dash");
        Pattern pattern = null;
        int maxLength = 0;
        long min = 0;
        long max = 0;
        String hint = text(node.get("hint"), null, where + "hint");
        switch (type) {
            case PACKAGE_NAME -> {
                refuse(node, where, type, "pattern", "max-length", "min", "max", "allow-leading-dash");
                maxLength = io.portcullis.common.validation.Validation.PACKAGE_NAME_MAX;
            }
            case PATH -> {
                refuse(node, where, type, "pattern", "min", "max", "allow-leading-dash");
                JsonNode ml = node.get("max-length");
                if (ml != null && (!ml.canConvertToInt() || ml.asInt() < 1 || ml.asInt() > 4096)) {
                    throw fail(where + "'max-length' must be between 1 and 4096");
                }
                maxLength = ml == null ? 255 : ml.asInt();
                if (hint == null) {
                    hint = "a relative path inside the job's work folder";
                }
            }
            case STRING -> {
                refuse(node, where, type, "min", "max");
                String regex = text(node.get("pattern"), null, where + "pattern");
                if (regex == null) {
                    throw fail(where + "a string parameter needs an allow-list 'pattern'");
                }
                try {
                    pattern = Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw fail(where + "'pattern' does not compile: " + e.getDescription());
                }
                JsonNode ml = node.get("max-length");
                if (ml == null || !ml.canConvertToInt() || ml.asInt() < 1 || ml.asInt() > 4096) {
                    throw fail(where + "a string parameter needs 'max-length' between 1 and 4096");
                }
                maxLength = ml.asInt();
                if (hint == null) {
                    hint = "characters matching " + regex;
                }
            }
            case INTEGER -> {
                refuse(node, where, type, "pattern", "max-length", "allow-leading-dash");
                JsonNode mn = node.get("min");
                JsonNode mx = node.get("max");
                if (mn == null || mx == null || !mn.canConvertToLong() || !mx.canConvertToLong() || mn.asLong() < 0
                        || mx.asLong() < mn.asLong() || mx.asLong() > 999_999_999_999_999_999L) {
                    throw fail(where + "an integer parameter needs 'min' and 'max', 0 <= min <= max");
                }
                min = mn.asLong();
                max = mx.asLong();
                maxLength = Long.toString(max).length();
            }
        }
        return new Parameter(name, type, pattern, maxLength, min, max, leadingDash, description, hint);
    }

    private void refuse(JsonNode node, String where, ParameterType type, String... keys) {
        for (String k : keys) {
            if (node.has(k)) {
                throw fail(where + "'" + k + "' does not apply to a " + type.label() + " parameter");
            }
        }
    }

    private Limits limits(JsonNode node, Limits base, String where) {
        if (node == null || node.isNull()) {
            return base;
        }
        if (!node.isObject()) {
            throw fail(where + "'limits' must be a mapping");
        }
        keys(node, LIMIT_KEYS, where + "limits: ");
        return new Limits(
                size(node.get("cpu-seconds"), base.cpuSeconds(), 1, 86_400, where + "limits: cpu-seconds"),
                size(node.get("address-space"), base.addressSpaceBytes(), 16L << 20, 1L << 40, where + "limits: address-space"),
                size(node.get("file-size"), base.fileSizeBytes(), 0, 1L << 40, where + "limits: file-size"),
                size(node.get("open-files"), base.openFiles(), 8, 65_536, where + "limits: open-files"),
                size(node.get("processes"), base.processes(), 1, 65_536, where + "limits: processes"));
    }

    private Set<String> placeholders(String text, String where) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Action.PLACEHOLDER.matcher(text);
        StringBuilder rest = new StringBuilder();
        while (m.find()) {
            names.add(m.group(1));
            m.appendReplacement(rest, "");
        }
        m.appendTail(rest);
        if (rest.indexOf("{") >= 0 || rest.indexOf("}") >= 0) {
            throw fail(where + "'{' and '}' may appear only in a placeholder such as {name}");
        }
        return names;
    }

    private Path absolutePath(String text, String where) {
        if (text.length() > 4096 || !ABSOLUTE_PATH.matcher(text).matches()) {
            throw fail(where + " must be an absolute path of letters, digits, '.', '_', '+', '-' and '/'");
        }
        Path p = Path.of(text);
        if (!p.normalize().toString().equals(text)) {
            throw fail(where + " must be a normalised absolute path (no '.' or '..' segments)");
        }
        return p;
    }

    private void keys(JsonNode node, Set<String> allowed, String where) {
        if (node == null || !node.isObject()) {
            return;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!allowed.contains(k)) {
                throw fail(where + "unknown key '" + printable(k) + "' (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private String text(JsonNode node, String fallback, String where) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw fail(where + " must be a string");
        }
        return node.asText();
    }

    private boolean bool(JsonNode node, boolean fallback, String where) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw fail(where + " must be true or false");
        }
        return node.asBoolean();
    }

    private long size(JsonNode node, long fallback, long min, long max, String where) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        long value;
        if (node.canConvertToLong() && node.isIntegralNumber()) {
            value = node.asLong();
        } else if (node.isTextual()) {
            Matcher m = SIZE.matcher(node.asText().trim());
            if (!m.matches()) {
                throw fail(where + " must be a number, optionally with B, KiB, MiB or GiB");
            }
            long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
                case "KiB" -> 1L << 10;
                case "MiB" -> 1L << 20;
                case "GiB" -> 1L << 30;
                default -> 1L;
            };
            value = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } else {
            throw fail(where + " must be a number");
        }
        if (value < min || value > max) {
            throw fail(where + " must be between " + min + " and " + max);
        }
        return value;
    }

    private Duration duration(JsonNode node, Duration fallback, String where) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw fail(where + " must be a duration such as 30s, 500ms, 10m or PT30S");
        }
        String text = node.asText().trim();
        Duration d;
        Matcher m = SHORT_DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                d = Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw fail(where + " must be a duration such as 30s, 500ms, 10m or PT30S");
            }
        }
        if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
            throw fail(where + " must be between 100ms and 24h");
        }
        return d;
    }

    /** A name from the file, made safe for one line of a message. */
    private static String printable(String s) {
        return io.portcullis.common.validation.Validation.forLog(s, 80);
    }

    private CatalogException fail(String message) {
        return new CatalogException("exec catalog " + source + ": " + message);
    }
}
