package io.portcullis.exec.sandbox;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when jobs can run: a sandbox passed its self-test at start (or the development flag allows none). */
@Readiness
@ApplicationScoped
public class SandboxHealthCheck implements HealthCheck {

    private final Sandbox sandbox;

    public SandboxHealthCheck(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("exec sandbox").status(sandbox.ready())
                .withData("kind", sandbox.launcher().kind().label())
                .withData("namespaces", String.join(",", new java.util.TreeSet<>(sandbox.launcher().namespaces())))
                .build();
    }
}
