-- Full-text search: one table a kind holding plain text (for headlines) and its tsvector
-- (English configuration: stemming and stop words; titles weighted A, details B, bodies C;
-- accents taken off first, as SQLite's tokenizer does) with a GIN index. SPOT writes the
-- rows (src/search/index.rs) in the same transaction as the change they follow, and only
-- for what may be found: visible posts, unhidden resources, members listed in the
-- directory. Foreign keys take a row away with what it indexes.
CREATE TABLE search_posts (
    post_id BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    document tsvector NOT NULL
);
CREATE INDEX search_posts_document ON search_posts USING GIN (document);

CREATE TABLE search_resources (
    resource_id BIGINT PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    document tsvector NOT NULL
);
CREATE INDEX search_resources_document ON search_resources USING GIN (document);

CREATE TABLE search_members (
    member_id BIGINT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    details TEXT NOT NULL,
    about TEXT NOT NULL,
    document tsvector NOT NULL
);
CREATE INDEX search_members_document ON search_members USING GIN (document);

-- Which version of the index's contents is built: SPOT builds the index at start-up when
-- this is behind (after this migration, on a database that already has posts).
CREATE TABLE search_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    built_version INTEGER NOT NULL
);
INSERT INTO search_state (id, built_version) VALUES (1, 0);
