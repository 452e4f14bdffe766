DROP TABLE holds;
ALTER TABLE resources DROP COLUMN held_at;
ALTER TABLE threads DROP COLUMN held_at;
ALTER TABLE posts DROP COLUMN held_at;
