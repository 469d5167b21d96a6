-- Writes now remove only the one version each pushes out of a path's window (max_versions), and a
-- lower max_versions prunes at once. Before, a lower max_versions took effect at the next write:
-- remove, once, what such paths still hold beyond their window.
DELETE FROM secret_version v USING secret_metadata m
WHERE v.path = m.path AND v.version <= m.current_version - m.max_versions;
