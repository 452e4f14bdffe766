DROP INDEX resources_recent;
CREATE INDEX resources_recent ON resources (created_at, id);
