INSERT INTO search_posts (search_posts, rank) VALUES ('secure-delete', 0);
INSERT INTO search_resources (search_resources, rank) VALUES ('secure-delete', 0);
INSERT INTO search_members (search_members, rank) VALUES ('secure-delete', 0);
ALTER TABLE members DROP COLUMN erased_at;
