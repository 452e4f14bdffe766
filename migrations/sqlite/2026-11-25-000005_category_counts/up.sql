-- The forum index shows each category's threads, posts and latest post. Kept here as the
-- forum changes, so that page never aggregates every thread.
ALTER TABLE categories ADD COLUMN thread_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN post_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN last_post_at TIMESTAMP;
UPDATE categories SET
    thread_count = (SELECT COUNT(*) FROM threads WHERE threads.category_id = categories.id),
    post_count = (SELECT COALESCE(SUM(post_count), 0) FROM threads WHERE threads.category_id = categories.id),
    last_post_at = (SELECT MAX(last_post_at) FROM threads WHERE threads.category_id = categories.id);
