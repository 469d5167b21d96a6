package io.portcullis.exec.rest;

import java.util.concurrent.Semaphore;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.problem.ProblemException;
import io.portcullis.exec.sandbox.Sandbox;
import io.portcullis.exec.sandbox.SandboxReport;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code GET /exec/sandbox} (admin): runs the self-test inside the sandbox now and reports what the
 * probes saw from inside. Runs on a worker thread; one at a time.
 */
@Path("/exec/sandbox")
@Produces(MediaType.APPLICATION_JSON)
public class SandboxResource {

    private final Sandbox sandbox;
    private final AuditLog audit;
    private final Semaphore oneAtATime = new Semaphore(1);

    public SandboxResource(Sandbox sandbox, AuditLog audit) {
        this.sandbox = sandbox;
        this.audit = audit;
    }

    @GET
    @RolesAllowed("admin")
    @Blocking
    public SandboxReport selfTest() {
        if (!oneAtATime.tryAcquire()) {
            throw ProblemException.tooManyRequests("A sandbox self-test is already running.", 1);
        }
        try {
            SandboxReport report = sandbox.selfTest();
            audit.record(AuditLog.event("exec_job", report.problems().isEmpty() ? "success" : "failure")
                    .detail("action", "sandbox-self-test").detail("sandbox", report.kind())
                    .detail("problems", report.problems().size()));
            return report;
        } finally {
            oneAtATime.release();
        }
    }
}
