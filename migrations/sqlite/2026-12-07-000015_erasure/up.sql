-- An erased account stays as a tombstone row (what others wrote in reply still hangs
-- together) with nothing in it that names the person.
ALTER TABLE members ADD COLUMN erased_at TIMESTAMP;

-- Deleting from a full-text index normally leaves the words in its segments until they are
-- merged; secure-delete takes them out at once, so an erased member's name or a purged
-- post's words leave the index with the row.
INSERT INTO search_posts (search_posts, rank) VALUES ('secure-delete', 1);
INSERT INTO search_resources (search_resources, rank) VALUES ('secure-delete', 1);
INSERT INTO search_members (search_members, rank) VALUES ('secure-delete', 1);
