DROP INDEX tags_by_count;
ALTER TABLE tags DROP COLUMN resource_count;
