-- The library's newest-first walk tells visible from hidden resources, and a tag's from
-- the rest, without reading each resource's row (a whole description): at scale 50 a tag
-- filter's page 40 read 5,000 rows for 20 (docs/benchmarks.md, issue 21).
DROP INDEX resources_recent;
CREATE INDEX resources_recent ON resources (created_at, id, hidden_at, owner_id);
-- Covering, so that counting the hidden resources stays in this small index: the walk's
-- index above now holds hidden_at too, and SQLite would read all of it to count them.
DROP INDEX resources_hidden;
CREATE INDEX resources_hidden ON resources (owner_id, hidden_at) WHERE hidden_at IS NOT NULL;
