DROP TRIGGER search_posts_recent_gone;
DROP TABLE search_posts_recent;
