DROP INDEX digests_letter;
ALTER TABLE digests DROP COLUMN outbox_id;
DROP TABLE outbox_items;
ALTER TABLE posts DROP COLUMN purged_at;
