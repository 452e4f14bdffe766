-- How many visible resources carry each tag, kept by the library's writes: the tag cloud
-- reads it instead of counting every resource's tags on every page.
ALTER TABLE tags ADD COLUMN resource_count BIGINT NOT NULL DEFAULT 0;
UPDATE tags SET resource_count = (
    SELECT COUNT(*) FROM resource_tags rt JOIN resources r ON r.id = rt.resource_id
    WHERE rt.tag_id = tags.id AND r.hidden_at IS NULL
);
CREATE INDEX tags_by_count ON tags (resource_count DESC, name);
