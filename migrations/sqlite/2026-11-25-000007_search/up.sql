-- Full-text search: one FTS5 table a kind, English stemming (porter), accents folded.
-- SPOT writes the rows (src/search/index.rs), as plain text, in the same transaction as the
-- change they follow, and only for what may be found: visible posts, unhidden resources,
-- members listed in the directory. rowid is the id of the row indexed.
CREATE VIRTUAL TABLE search_posts USING fts5(
    title, body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_resources USING fts5(
    title, tags, body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_members USING fts5(
    name, details, about,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- A deleted row leaves the index with it, however it was deleted (a thread removed with
-- its posts, a resource deleted). PostgreSQL's foreign keys do the same there.
CREATE TRIGGER search_posts_gone AFTER DELETE ON posts BEGIN
    DELETE FROM search_posts WHERE rowid = old.id;
END;
CREATE TRIGGER search_resources_gone AFTER DELETE ON resources BEGIN
    DELETE FROM search_resources WHERE rowid = old.id;
END;
CREATE TRIGGER search_members_gone AFTER DELETE ON members BEGIN
    DELETE FROM search_members WHERE rowid = old.id;
END;

-- Which version of the index's contents is built: SPOT builds the index at start-up when
-- this is behind (after this migration, on a database that already has posts).
CREATE TABLE search_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    built_version INTEGER NOT NULL
);
INSERT INTO search_state (id, built_version) VALUES (1, 0);
