DROP TABLE search_state;
DROP TRIGGER search_members_gone;
DROP TRIGGER search_resources_gone;
DROP TRIGGER search_posts_gone;
DROP TABLE search_members;
DROP TABLE search_resources;
DROP TABLE search_posts;
