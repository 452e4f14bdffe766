-- The newest posts' index rows again, in a small FTS5 table of their own: a search of the
-- discussions ranks the newest matches, and FTS5's bm25 counts every row of the table
-- holding each word to weigh it (11 ms for a common word at a million posts, whatever is
-- ranked). Counted in the newest 100,000 posts the weights are as good and cost a tenth.
-- SPOT keeps it in step (src/search/index.rs): rows at or above the newest post's id less
-- 100,000, written and removed with the main index's.
CREATE VIRTUAL TABLE search_posts_recent USING fts5(
    title, body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_posts_recent (rowid, title, body)
    SELECT rowid, title, body FROM search_posts
    WHERE rowid >= (SELECT COALESCE(MAX(id), 0) FROM posts) - 100000;
CREATE TRIGGER search_posts_recent_gone AFTER DELETE ON posts BEGIN
    DELETE FROM search_posts_recent WHERE rowid = old.id;
END;
