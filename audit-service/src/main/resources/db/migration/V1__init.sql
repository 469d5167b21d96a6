-- audit-service schema; the event table arrives with the audit issue
CREATE TABLE IF NOT EXISTS schema_info (
    component  text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO schema_info (component) VALUES ('audit-service') ON CONFLICT DO NOTHING;
