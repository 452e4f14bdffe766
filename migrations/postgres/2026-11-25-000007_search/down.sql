DROP TABLE search_state;
DROP TABLE search_members;
DROP TABLE search_resources;
DROP TABLE search_posts;
