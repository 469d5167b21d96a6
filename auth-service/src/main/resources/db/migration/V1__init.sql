-- auth-service schema; its tables arrive with its issue
CREATE TABLE IF NOT EXISTS schema_info (
    component  text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO schema_info (component) VALUES ('auth-service') ON CONFLICT DO NOTHING;
