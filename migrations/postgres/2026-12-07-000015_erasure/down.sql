ALTER TABLE members DROP COLUMN erased_at;
