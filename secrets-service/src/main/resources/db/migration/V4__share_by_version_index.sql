-- Removing a version (a write pushing the oldest out of max_versions, destroy, a removed path) cascades to
-- the shares of that version: without an index on (path, version) every such removal read the whole
-- share table. pgbench of the write statement with 10,000 shares outstanding: 2,374-2,393 writes/s
-- without this index against 7,333-7,702 with it (and 7,350 with no share at all).
CREATE INDEX secret_share_by_version ON secret_share (path, version);
