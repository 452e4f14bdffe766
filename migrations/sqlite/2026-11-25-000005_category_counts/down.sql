ALTER TABLE categories DROP COLUMN last_post_at;
ALTER TABLE categories DROP COLUMN post_count;
ALTER TABLE categories DROP COLUMN thread_count;
