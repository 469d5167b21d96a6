-- exec-service: one row per job, from queued to its result.

CREATE TABLE exec_job (
    id          uuid        PRIMARY KEY,
    owner       text        NOT NULL,                 -- user:<id> | svc:<name>; only the owner and admins read it
    action      text        NOT NULL,
    params      jsonb       NOT NULL,                 -- validated values only
    status      text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'timed_out')),
    sandbox     text        NOT NULL CHECK (sandbox IN ('bubblewrap', 'util-linux', 'none')),
    exit_code   integer,
    stdout      text,
    stderr      text,
    truncated   boolean     NOT NULL DEFAULT false,
    duration_ms bigint      CHECK (duration_ms >= 0),
    error       text,                                  -- why it failed without an exit code
    request_id  text,
    source_ip   text,
    timeout_ms  bigint      NOT NULL CHECK (timeout_ms > 0),
    created_at  timestamptz NOT NULL,
    started_at  timestamptz,
    finished_at timestamptz,
    CHECK ((status IN ('queued', 'running')) = (finished_at IS NULL))
);

-- a user's own jobs, newest first
CREATE INDEX exec_job_owner_created ON exec_job (owner, created_at DESC);
-- housekeeping: unfinished jobs (few), finished jobs by age
CREATE INDEX exec_job_unfinished ON exec_job (status, created_at) WHERE finished_at IS NULL;
CREATE INDEX exec_job_finished_at ON exec_job (finished_at) WHERE finished_at IS NOT NULL;
