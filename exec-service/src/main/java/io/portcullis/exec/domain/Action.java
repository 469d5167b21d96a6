package io.portcullis.exec.domain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One allow-listed action of the catalog: what a user may ask for by name. Users never send a
 * command line; they send the action's name and values for its declared parameters, which
 * {@link #render} places into the fixed argv template.
 *
 * @param binary absolute path of the program; run directly, never through a shell
 * @param argv the argument template (without the binary); {@code {name}} is replaced by a parameter's
 *        value, {@code {workdir}} by the job's work folder as the job sees it
 * @param parameters the declared parameters, in declaration order; all are required
 * @param env variables added to {@code PATH=/usr/bin:/bin}; values may use {@code {workdir}}
 * @param groups JWT groups that may run the action
 * @param maxOutputBytes output kept per stream (stdout, stderr); the rest is discarded and the job
 *        flagged {@code truncated}
 * @param network whether the job keeps the host's network (otherwise a fresh, empty network
 *        namespace where the sandbox has one)
 * @param endOfOptions whether the binary understands {@code --}: then {@code --} goes before the
 *        first argument that carries a parameter
 * @param readOnlyPaths extra host paths the bubblewrap sandbox shows, read-only (e.g. {@code /nix})
 */
public record Action(String name, String description, Path binary, List<String> argv, Map<String, Parameter> parameters,
        Map<String, String> env, Set<String> groups, Duration timeout, int maxOutputBytes, Limits limits, boolean network,
        boolean endOfOptions, List<Path> readOnlyPaths) {

    /** The placeholder for the job's work folder. */
    public static final String WORKDIR = "workdir";
    /** {@code {name}} in an argv element or env value. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)\\}");
    /** The environment every job starts from; an action adds to it, never replaces it. */
    public static final String PATH = "/usr/bin:/bin";

    public Action {
        argv = List.copyOf(argv);
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        groups = Set.copyOf(groups);
        readOnlyPaths = List.copyOf(readOnlyPaths);
    }

    /** Whether someone in {@code callerGroups} may run this action. */
    public boolean allows(Set<String> callerGroups) {
        for (String g : callerGroups) {
            if (groups.contains(g)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The argv after the binary, for values that passed {@link Parameter#validate}. Every value
     * becomes part of exactly one argument: nothing is split, joined, or interpreted.
     */
    public List<String> render(Map<String, String> values, String workdir) {
        List<String> out = new ArrayList<>(argv.size() + 1);
        boolean endMarked = false;
        for (String element : argv) {
            if (element.equals("--")) {
                endMarked = true;
            }
            Matcher m = PLACEHOLDER.matcher(element);
            StringBuilder sb = new StringBuilder();
            boolean carriesParameter = false;
            while (m.find()) {
                String name = m.group(1);
                carriesParameter |= !name.equals(WORKDIR);
                m.appendReplacement(sb, Matcher.quoteReplacement(name.equals(WORKDIR) ? workdir : values.get(name)));
            }
            m.appendTail(sb);
            if (carriesParameter && endOfOptions && !endMarked) {
                out.add("--");
                endMarked = true;
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** Exactly {@code PATH=/usr/bin:/bin} plus what the action declares. */
    public Map<String, String> environment(String workdir) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("PATH", PATH);
        env.forEach((k, v) -> out.put(k, v.replace("{" + WORKDIR + "}", workdir)));
        return out;
    }
}
