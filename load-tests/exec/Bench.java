import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * exec-service overhead per job, against spawning the same binary directly from Java in the same run.
 *
 * <p>Three measurements of {@code /usr/bin/true}, interleaved round by round so that they share the
 * noise of the machine:
 * <ol>
 * <li><b>direct</b>: ProcessBuilder, stdout and stderr read to the end, waitFor: what a Java program
 * pays to run the binary at all;</li>
 * <li><b>sandboxed</b>: the same, with the service's own sandbox launcher in front (taken from its
 * self-test, {@code GET /exec/sandbox}): the sandbox's cost is sandboxed minus direct;</li>
 * <li><b>service</b>: {@code POST /exec/jobs} then {@code GET /exec/jobs/{id}?wait=30} until the result,
 * through HTTP, JWT, validation, PostgreSQL, the queue and the sandbox: the overhead per job is
 * service minus direct.</li>
 * </ol>
 * Run by {@code run.sh}, which starts the packaged service; usage:
 * {@code java Bench.java <baseUrl> <privateKeyPem> <rounds> <concurrency>}.
 */
public class Bench {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        PrivateKey key = privateKey(Files.readString(Path.of(args[1])));
        int rounds = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String admin = token(key, "bench-admin", "admin", "user");
        String user = token(key, "bench-user", "user");

        String report = send(http, HttpRequest.newBuilder(URI.create(base + "/exec/sandbox")).header("Authorization", "Bearer " + admin).GET().build());
        String kind = field(report, "kind");
        List<String> launcher = launcher(report);
        System.out.printf("sandbox: %s%nlauncher: %s%n", kind, String.join(" ", launcher));

        Path workRoot = Files.createTempDirectory("exec-bench-");
        Files.setPosixFilePermissions(workRoot, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        boolean root = "0".equals(new String(new ProcessBuilder("/usr/bin/id", "-u").start().getInputStream().readAllBytes()).strip());

        List<Long> direct = new ArrayList<>();
        List<Long> sandboxed = new ArrayList<>();
        List<Long> service = new ArrayList<>();
        List<Long> serviceProcess = new ArrayList<>();
        int warmup = Math.max(20, rounds / 10);
        for (int i = 0; i < warmup + rounds; i++) {
            boolean keep = i >= warmup;
            long d = spawn(List.of("/usr/bin/true"), workRoot);
            Path job = workRoot.resolve("job-" + i);
            Files.createDirectory(job);
            if (root) {
                Files.setAttribute(job, "unix:gid", 65534);
                Files.setAttribute(job, "unix:uid", 65534);
            }
            List<String> cmd = new ArrayList<>();
            for (String a : launcher) {
                cmd.add(a.endsWith("/<job>") ? job.toString() : a); // the service's work folder placeholder
            }
            cmd.add("/usr/bin/true");
            long s = spawn(cmd, job);
            Files.deleteIfExists(job);
            long[] e = job(http, base, user);
            if (keep) {
                direct.add(d);
                sandboxed.add(s);
                service.add(e[0]);
                serviceProcess.add(e[1]);
            }
        }
        Files.deleteIfExists(workRoot);

        System.out.printf("%nlatency, one at a time, %d rounds after %d warm-up (ms)%n", rounds, warmup);
        System.out.printf("%-44s %8s %8s %8s %8s%n", "", "median", "p90", "p99", "mean");
        line("direct spawn from Java", direct);
        line("sandboxed spawn (" + kind + ")", sandboxed);
        line("service, submit to result", service);
        line("  of which process run (job durationMs)", serviceProcess);
        double dm = median(direct);
        System.out.printf("%nsandbox cost   (sandboxed - direct, median): %.2f ms  (x%.2f of direct)%n", median(sandboxed) - dm, median(sandboxed) / dm);
        System.out.printf("overhead per job (service - direct, median): %.2f ms  (x%.2f of direct)%n", median(service) - dm, median(service) / dm);
        System.out.printf("service without the sandbox (service - sandboxed, median): %.2f ms%n", median(service) - median(sandboxed));

        if (concurrency > 1) {
            throughput(http, base, user, concurrency, Math.max(200, rounds));
        }
    }

    /** Jobs per second with {@code n} clients, against direct spawns per second with {@code n} threads. */
    static void throughput(HttpClient http, String base, String user, int n, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        Path dir = Files.createTempDirectory("exec-bench-tp-");
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            fs.add(CompletableFuture.runAsync(() -> {
                try {
                    spawn(List.of("/usr/bin/true"), dir);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, pool));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        double directRate = total / ((System.nanoTime() - t0) / 1e9);
        fs.clear();
        t0 = System.nanoTime();
        int[] refused = new int[1];
        for (int i = 0; i < total; i++) {
            fs.add(CompletableFuture.runAsync(() -> {
                try {
                    while (job(http, base, user)[0] < 0) {
                        synchronized (refused) {
                            refused[0]++;
                        }
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, pool));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        double serviceRate = total / ((System.nanoTime() - t0) / 1e9);
        pool.shutdown();
        Files.deleteIfExists(dir);
        System.out.printf("%nthroughput with %d clients, %d jobs: direct %.0f spawns/s, service %.0f jobs/s (x%.2f), %d retries after 429%n",
                n, total, directRate, serviceRate, directRate / serviceRate, refused[0]);
    }

    /** Nanoseconds to run {@code cmd} with output read to the end, as the service does it. */
    static long spawn(List<String> cmd, Path dir) throws Exception {
        long t = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        byte[] out = readAll(p.getInputStream());
        int code = p.waitFor();
        byte[] e = err.join();
        if (code != 0) {
            throw new IllegalStateException("exit " + code + ": " + new String(e) + new String(out));
        }
        return System.nanoTime() - t;
    }

    static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** {nanoseconds submit to result, process ms}; {-1, -1} when the queue was full (429). */
    static long[] job(HttpClient http, String base, String token) throws Exception {
        long t = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/exec/jobs"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"true\",\"params\":{}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 429) {
            return new long[] { -1, -1 };
        }
        if (r.statusCode() != 202) {
            throw new IllegalStateException("submit: " + r.statusCode() + " " + r.body());
        }
        String id = field(r.body(), "jobId");
        while (true) {
            String job = send(http, HttpRequest.newBuilder(URI.create(base + "/exec/jobs/" + id + "?wait=30"))
                    .header("Authorization", "Bearer " + token).GET().build());
            String status = field(job, "status");
            if (status.equals("succeeded")) {
                return new long[] { System.nanoTime() - t, Long.parseLong(field(job, "durationMs")) * 1_000_000L };
            }
            if (!status.equals("queued") && !status.equals("running")) {
                throw new IllegalStateException("job " + status + ": " + job);
            }
        }
    }

    static String send(HttpClient http, HttpRequest req) throws Exception {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(req.uri() + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\"([^\"]*)\"|([0-9.]+|null|true|false))").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(2) != null ? m.group(2) : m.group(3);
    }

    static List<String> launcher(String report) {
        Matcher m = Pattern.compile("\"launcher\"\\s*:\\s*\\[(.*?)\\]").matcher(report);
        if (!m.find()) {
            throw new IllegalStateException("no launcher in the self-test report");
        }
        List<String> out = new ArrayList<>();
        Matcher s = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
        while (s.find()) {
            out.add(s.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return out;
    }

    static void line(String label, List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        System.out.printf("%-44s %8.2f %8.2f %8.2f %8.2f%n", label, s.get(s.size() / 2) / 1e6, s.get((int) (s.size() * 0.9)) / 1e6,
                s.get(Math.min(s.size() - 1, (int) (s.size() * 0.99))) / 1e6, s.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6);
    }

    static double median(List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        return s.get(s.size() / 2) / 1e6;
    }

    static String token(PrivateKey key, String sub, String... groups) throws Exception {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"bench\"}";
        String payload = "{\"iss\":\"urn:portcullis:auth\",\"aud\":\"portcullis\",\"sub\":\"" + sub + "\",\"upn\":\"" + sub
                + "\",\"groups\":[\"" + String.join("\",\"", groups) + "\"],\"jti\":\"" + UUID.randomUUID() + "\",\"iat\":" + now
                + ",\"exp\":" + (now + 3600) + "}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64(sig.sign());
    }

    static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static PrivateKey privateKey(String pem) throws Exception {
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
