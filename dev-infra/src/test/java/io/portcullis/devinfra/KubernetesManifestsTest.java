package io.portcullis.devinfra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
@SuppressWarnings("unchecked")
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
            List<Map<String, Object>> inits = at(pod, "initContainers");
            for (Map<String, Object> c : inits == null ? List.<Map<String, Object>>of() : inits) {
                Map<String, Object> sc = at(c, "securityContext");
                assertEquals(Boolean.FALSE, sc.get("allowPrivilegeEscalation"), name);
                assertEquals(Boolean.TRUE, sc.get("readOnlyRootFilesystem"), name);
                assertEquals(List.of("ALL"), at(sc, "capabilities", "drop"), name);
                assertNull(at(sc, "capabilities", "add"), name);
            }
            List<Map<String, Object>> containers = at(pod, "containers");
            for (Map<String, Object> c : containers) {
                Map<String, Object> sc = at(c, "securityContext");
                assertEquals(Boolean.FALSE, sc.get("allowPrivilegeEscalation"), name);
                assertEquals(Boolean.TRUE, sc.get("readOnlyRootFilesystem"), name);
                assertEquals(List.of("ALL"), at(sc, "capabilities", "drop"), name);
                List<String> added = at(sc, "capabilities", "add");
                if (added != null) {
                    // only what the baseline Pod Security Standard allows, and only for the sandbox (which
                    // drops each job to nobody, hands it its folder and cleans up after it)
                    assertEquals("exec-service", name);
                    assertTrue(List.of("SETUID", "SETGID", "SETPCAP", "KILL", "CHOWN", "FOWNER", "DAC_OVERRIDE").containsAll(added),
                            added.toString());
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

    /**
     * With fsGroup, Kubernetes leaves secret files 0440 (root:fsGroup), which the services refuse: a pod
     * that sets it never mounts a secret into its service, only into the init step that copies it, 0400
     * and owned by the pod's user, into memory at /run/secrets.
     */
    @Test
    void podsWithFsGroupHandTheirServiceOwnerOnlyCopiesOfTheSecrets() throws IOException {
        for (Map<String, Object> d : deployments()) {
            String name = at(d, "metadata", "name");
            Map<String, Object> pod = at(d, "spec", "template", "spec");
            if (at(pod, "securityContext", "fsGroup") == null) {
                continue;
            }
            List<Map<String, Object>> volumes = at(pod, "volumes");
            List<String> secretVolumes = volumes.stream().filter(v -> v.containsKey("secret")).map(v -> (String) v.get("name")).toList();
            Map<String, Object> copies = volumes.stream().filter(v -> "secret-files".equals(v.get("name"))).findFirst().orElseThrow();
            assertEquals("Memory", at(copies, "emptyDir", "medium"), name);
            for (Map<String, Object> c : (List<Map<String, Object>>) at(pod, "containers")) {
                List<Map<String, Object>> mounts = at(c, "volumeMounts");
                for (Map<String, Object> m : mounts) {
                    assertFalse(secretVolumes.contains(m.get("name")), name + " mounts secret " + m.get("name") + " directly");
                }
                assertTrue(mounts.stream().anyMatch(m -> "secret-files".equals(m.get("name")) && "/run/secrets".equals(m.get("mountPath"))
                        && Boolean.TRUE.equals(m.get("readOnly"))), name);
            }
            List<Map<String, Object>> inits = at(pod, "initContainers");
            Map<String, Object> copy = inits.stream().filter(c -> "secret-files".equals(c.get("name"))).findFirst().orElseThrow();
            List<Map<String, Object>> mounts = at(copy, "volumeMounts");
            for (String secret : secretVolumes) {
                assertTrue(mounts.stream().anyMatch(m -> secret.equals(m.get("name"))
                        && String.valueOf(m.get("mountPath")).startsWith("/run/secrets-in/")), name + " copies " + secret);
            }
        }
    }

    /** The copy step itself, run on the layout the kubelet makes (..data links, files 0440). */
    @Test
    void theCopyStepLeavesOwnerOnlyFilesAndNoBookkeeping(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in/database");
        Path stamp = Files.createDirectories(in.resolve("..2026_11_29_04_00_00.123"));
        Files.writeString(stamp.resolve("password"), "s3cret-value\n");
        Files.setPosixFilePermissions(stamp.resolve("password"), java.nio.file.attribute.PosixFilePermissions.fromString("r--r-----"));
        Files.createSymbolicLink(in.resolve("..data"), Path.of("..2026_11_29_04_00_00.123"));
        Files.createSymbolicLink(in.resolve("password"), Path.of("..data/password"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Process p = new ProcessBuilder("/bin/sh", K8S.resolve("base/copy-secrets.sh").toString(), tmp.resolve("in").toString(),
                out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        Path copied = out.resolve("database/password");
        assertEquals("s3cret-value\n", Files.readString(copied));
        assertEquals("r--------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(copied)));
        assertEquals("r-x------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("database"))));
        assertFalse(Files.isSymbolicLink(copied));
        try (Stream<Path> left = Files.list(out.resolve("database"))) {
            assertEquals(List.of("password"), left.map(f -> f.getFileName().toString()).toList(), "only the keys");
        }
    }

    /** One login role per service, so that no service can reach another's database. */
    @Test
    void everyServiceLogsInToPostgresqlAsItself() throws IOException {
        List<String> users = new ArrayList<>();
        for (Map<String, Object> d : deployments()) {
            Map<String, Object> c = ((List<Map<String, Object>>) at(d, "spec", "template", "spec", "containers")).get(0);
            List<Map<String, Object>> env = at(c, "env");
            users.add(env.stream().filter(e -> "QUARKUS_DATASOURCE_USERNAME".equals(e.get("name"))).map(e -> (String) e.get("value"))
                    .findFirst().orElseThrow(() -> new AssertionError(at(d, "metadata", "name") + " names no database role")));
        }
        assertEquals(5, users.stream().distinct().count(), users.toString());
        for (Map<String, Object> doc : documents()) {
            if ("ConfigMap".equals(doc.get("kind"))) {
                Map<String, Object> data = at(doc, "data");
                assertFalse(data != null && data.containsKey("QUARKUS_DATASOURCE_USERNAME"), "not shared through a ConfigMap");
            }
        }
    }

    /**
     * The audit-service and the secrets-service work as logins that own nothing, and Flyway as the ones
     * that own their tables, each with its own Secret: holding a service's login is not enough to step
     * around the role and triggers that guard its tables.
     */
    @Test
    void theAuditAndSecretsServicesWorkAsLoginsOtherThanTheOnesThatOwnTheirTables() throws IOException {
        for (String service : List.of("audit-service", "secrets-service")) {
            String owner = "portcullis_" + service.replace("-service", "");
            Map<String, Object> d = deployments().stream().filter(x -> service.equals(at(x, "metadata", "name")))
                    .findFirst().orElseThrow();
            Map<String, Object> c = ((List<Map<String, Object>>) at(d, "spec", "template", "spec", "containers")).get(0);
            Map<String, String> env = new java.util.HashMap<>();
            for (Map<String, Object> e : (List<Map<String, Object>>) at(c, "env")) {
                env.put((String) e.get("name"), (String) e.get("value"));
            }
            assertEquals(owner, env.get("QUARKUS_FLYWAY_USERNAME"), service);
            assertEquals(owner + "_runtime", env.get("QUARKUS_DATASOURCE_USERNAME"), service);
            String flywayDir = env.get("QUARKUS_FLYWAY_PASSWORD_FILE").split("/")[3];
            String serviceDir = env.get("QUARKUS_DATASOURCE_PASSWORD_FILE").split("/")[3];
            assertNotEquals(flywayDir, serviceDir, service + ": one password file for both logins");
            Map<String, String> secretOf = new java.util.HashMap<>();
            for (Map<String, Object> v : (List<Map<String, Object>>) at(d, "spec", "template", "spec", "volumes")) {
                if (v.containsKey("secret")) {
                    secretOf.put((String) v.get("name"), at(v, "secret", "secretName"));
                }
            }
            assertEquals("portcullis-" + service + "-database", secretOf.get(flywayDir), service);
            assertEquals("portcullis-" + service + "-runtime-database", secretOf.get(serviceDir), service);
        }
    }

    /** Every image a Deployment runs is one this repository builds (deploy/docker), of the module it names. */
    @Test
    void everyImageIsBuiltFromThisRepository() throws IOException {
        Path docker = K8S.resolveSibling("docker");
        String jvm = Files.readString(docker.resolve("Dockerfile.jvm"));
        for (Map<String, Object> d : deployments()) {
            String name = at(d, "metadata", "name");
            Map<String, Object> pod = at(d, "spec", "template", "spec");
            List<Map<String, Object>> all = new ArrayList<>((List<Map<String, Object>>) pod.get("containers"));
            if (pod.get("initContainers") != null) {
                all.addAll((List<Map<String, Object>>) pod.get("initContainers"));
            }
            for (Map<String, Object> c : all) {
                String image = (String) c.get("image");
                assertTrue(image.startsWith("ghcr.io/portcullis/" + name + ":"), name + " runs " + image);
            }
            assertTrue(Files.isDirectory(K8S.resolve("../..").resolve(name).resolve("src/main/java")), name + " is a module");
            if (name.equals("exec-service")) {
                assertTrue(Files.readString(docker.resolve("Dockerfile.exec-service")).contains("exec-service/target/quarkus-app/"));
            } else {
                assertTrue(jvm.contains("${SERVICE}/target/quarkus-app/"), name);
            }
        }
        String ignore = Files.readString(K8S.resolve("../../.dockerignore"));
        assertTrue(ignore.lines().anyMatch("*"::equals), "the build context leaves everything out (.portcullis/ holds keys)...");
        assertTrue(ignore.contains("!*/target/quarkus-app/"), "...but the built applications");
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
