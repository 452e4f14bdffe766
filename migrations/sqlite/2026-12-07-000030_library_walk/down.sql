DROP INDEX resources_hidden;
CREATE INDEX resources_hidden ON resources (owner_id) WHERE hidden_at IS NOT NULL;
DROP INDEX resources_recent;
CREATE INDEX resources_recent ON resources (created_at, id);
