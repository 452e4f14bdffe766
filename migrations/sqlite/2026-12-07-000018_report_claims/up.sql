-- A facilitator claims the open reports on a post, so that two do not handle the same one;
-- and can pass them to the admins.
ALTER TABLE reports ADD COLUMN claimed_by BIGINT REFERENCES members (id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN claimed_at TIMESTAMP;
ALTER TABLE reports ADD COLUMN escalated_at TIMESTAMP;
-- The queue, claims and a member's history look reports up by their post.
CREATE INDEX reports_post ON reports (post_id, status);
