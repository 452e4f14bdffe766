DELETE FROM categories WHERE slug = 'resource-discussions';
DROP TABLE resource_tags;
DROP TABLE tags;
DROP TABLE resources;
