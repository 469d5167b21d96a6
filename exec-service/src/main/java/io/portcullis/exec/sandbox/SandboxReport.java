package io.portcullis.exec.sandbox;

import java.util.List;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the sandbox self-test saw from inside the sandbox (every value read by a probe running in it,
 * not taken from the configuration).
 *
 * @param kind {@code bubblewrap}, {@code util-linux} or {@code none}
 * @param ready whether jobs may run (a sandbox was built and passed, or the development flag allows none)
 * @param uid real user id inside
 * @param groups supplementary groups inside
 * @param environmentKeys names of the environment variables inside (values are not reported)
 * @param noNewPrivs the kernel's no_new_privs flag inside
 * @param capabilitiesEffective {@code CapEff} inside, hexadecimal
 * @param capabilitiesBounding {@code CapBnd} inside, hexadecimal
 * @param limits soft limits inside: cpu-seconds, address-space, file-size, open-files, processes, core-size
 * @param namespaces for each namespace type, whether the job has its own (true) or shares the service's
 * @param writeOutsideWorkFolder {@code denied} when writing into the service's work root failed
 * @param launcher the argv prefix that builds the sandbox (for operators and the benchmark)
 * @param problems why a check failed; empty when all passed
 */
@RegisterForReflection
public record SandboxReport(String kind, boolean ready, Integer uid, Integer gid, List<Integer> groups,
        List<String> environmentKeys, Boolean noNewPrivs, String capabilitiesEffective, String capabilitiesBounding,
        Map<String, String> limits, Map<String, Boolean> namespaces, String writeOutsideWorkFolder, List<String> launcher,
        long durationMs, List<String> problems) {
}
