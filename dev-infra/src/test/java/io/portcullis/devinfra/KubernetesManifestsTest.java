package io.portcullis.devinfra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The Kubernetes manifests keep the promises of deploy/k8s/README.md. */
class KubernetesManifestsTest {

    static final Path K8S = Path.of("..", "deploy", "k8s");

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(K8S.resolve("base"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                try (Reader r = Files.newBufferedReader(f)) {
                    for (Object o : new Yaml().loadAll(r)) {
                        if (o instanceof Map<?, ?> m) {
                            docs.add((Map<String, Object>) m);
                        }
                    }
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... path) {
        Object cur = node;
        for (String p : path) {
            cur = cur == null ? null : ((Map<String, Object>) cur).get(p);
        }
        return (T) cur;
    }

    static List<Map<String, Object>> deployments() throws IOException {
        return documents().stream().filter(d -> "Deployment".equals(d.get("kind"))).toList();
    }

    @Test
    void everyServiceHasAHardenedDeployment() throws IOException {
        List<Map<String, Object>> deployments = deployments();
        assertEquals(5, deployments.size());
        for (Map<String, Object> d : deployments) {
            String name = at(d, "metadata", "name");
            Map<String, Object> pod = at(d, "spec", "template", "spec");
            assertEquals(Boolean.FALSE, pod.get("automountServiceAccountToken"), name);
            assertEquals("RuntimeDefault", at(pod, "securityContext", "seccompProfile", "type"), name);
            List<Map<String, Object>> containers = at(pod, "containers");
            for (Map<String, Object> c : containers) {
                Map<String, Object> sc = at(c, "securityContext");
                assertEquals(Boolean.FALSE, sc.get("allowPrivilegeEscalation"), name);
                assertEquals(Boolean.TRUE, sc.get("readOnlyRootFilesystem"), name);
                assertEquals(List.of("ALL"), at(sc, "capabilities", "drop"), name);
                List<String> added = at(sc, "capabilities", "add");
                if (added != null) {
                    // only what the baseline Pod Security Standard allows, and only for the sandbox
                    assertEquals("exec-service", name);
                    assertTrue(List.of("SETUID", "SETGID", "SETPCAP", "KILL").containsAll(added), added.toString());
                }
                assertEquals("management", at(c, "readinessProbe", "httpGet", "port"), name);
                assertEquals("/q/health/ready", at(c, "readinessProbe", "httpGet", "path"), name);
                assertNotNull(at(c, "resources", "limits", "memory"), name);
                if (!name.equals("exec-service")) {
                    assertEquals(Boolean.TRUE, at(pod, "securityContext", "runAsNonRoot"), name);
                }
            }
        }
    }

    @Test
    void secretsAreFilesReadableByTheOwnerOnlyAndNeverInlined() throws IOException {
        for (Map<String, Object> d : deployments()) {
            String name = at(d, "metadata", "name");
            List<Map<String, Object>> volumes = at(d, "spec", "template", "spec", "volumes");
            for (Map<String, Object> v : volumes) {
                if (v.containsKey("secret")) {
                    assertEquals(0400, ((Number) at(v, "secret", "defaultMode")).intValue(), name + " " + v.get("name"));
                }
            }
            List<Map<String, Object>> containers = at(d, "spec", "template", "spec", "containers");
            for (Map<String, Object> c : containers) {
                List<Map<String, Object>> env = at(c, "env");
                for (Map<String, Object> e : env) {
                    String var = (String) e.get("name");
                    boolean secretish = var.matches(".*(PASSWORD|SECRET|KEY|KEK|TOKEN).*") && !var.endsWith("_FILE")
                            && !var.endsWith("_ID") && !var.equals("PORTCULLIS_BOOTSTRAP_CLIENTS_DIR");
                    boolean url = String.valueOf(e.get("value")).startsWith("http");
                    assertFalse(secretish && !url && e.get("value") != null, name + ": " + var + " must come from a file");
                    if (var.endsWith("_FILE")) {
                        assertTrue(String.valueOf(e.get("value")).startsWith("/run/secrets/"), name + ": " + var);
                    }
                }
            }
        }
    }

    @Test
    void theNetworkDeniesByDefault() throws IOException {
        Map<String, Object> deny = documents().stream()
                .filter(d -> "NetworkPolicy".equals(d.get("kind")) && "default-deny".equals(at(d, "metadata", "name")))
                .findFirst().orElseThrow();
        assertEquals(Map.of(), at(deny, "spec", "podSelector"));
        assertEquals(List.of("Ingress", "Egress"), at(deny, "spec", "policyTypes"));
    }

    @Test
    void everyResourceOfTheKustomizationExists() throws IOException {
        Map<String, Object> k;
        try (Reader r = Files.newBufferedReader(K8S.resolve("base/kustomization.yaml"))) {
            k = new Yaml().load(r);
        }
        List<String> resources = at(k, "resources");
        for (String res : resources) {
            assertTrue(Files.exists(K8S.resolve("base").resolve(res)), res);
        }
    }
}
