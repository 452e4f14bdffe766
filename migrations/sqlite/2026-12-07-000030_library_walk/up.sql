-- The library's newest-first walk tells visible from hidden resources, and a tag's from
-- the rest, without reading each resource's row (a whole description): at scale 50 a tag
-- filter's page 40 read 5,000 rows for 20 (docs/benchmarks.md, issue 21).
DROP INDEX resources_recent;
CREATE INDEX resources_recent ON resources (created_at, id, hidden_at, owner_id);
