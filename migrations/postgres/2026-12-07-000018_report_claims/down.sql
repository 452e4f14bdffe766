DROP INDEX reports_post;
ALTER TABLE reports DROP COLUMN escalated_at;
ALTER TABLE reports DROP COLUMN claimed_at;
ALTER TABLE reports DROP COLUMN claimed_by;
