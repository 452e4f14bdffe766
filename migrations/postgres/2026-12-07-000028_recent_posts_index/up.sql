-- SQLite's FTS5 needs a window of the newest posts to weigh words cheaply; PostgreSQL's
-- ts_rank does not weigh words by how common they are, so it needs nothing here.
SELECT 1;
