-- Purging: a facilitator removes text that identifies someone from everywhere it went.

-- A purged post keeps its place in its thread, so that replies keep their context; its
-- text is gone and the page says why.
ALTER TABLE posts ADD COLUMN purged_at TIMESTAMP;

-- What each letter in the outbox carries: the notifications it was made from, and the
-- threads, posts and resources it quotes or names (a digest's round-up names threads and
-- resources without a notification). A purge finds here the letters not yet sent that
-- would carry the purged text, takes them back and lets the worker write them again.
-- The thread, post and resource have no foreign keys: the record must outlive them until
-- the letter is taken back.
CREATE TABLE outbox_items (
    id BIGSERIAL PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    notification_id BIGINT REFERENCES notifications (id) ON DELETE SET NULL,
    thread_id BIGINT,
    post_id BIGINT,
    resource_id BIGINT
);
CREATE INDEX outbox_items_letter ON outbox_items (outbox_id);
CREATE INDEX outbox_items_thread ON outbox_items (thread_id);
CREATE INDEX outbox_items_post ON outbox_items (post_id);
CREATE INDEX outbox_items_resource ON outbox_items (resource_id);

-- The letter a digest went out in, so that taking the letter back also forgets the digest
-- and the next round writes it again. No foreign key, on either engine: SQLite could not
-- drop the column again with one, and a purge forgets the digest before it deletes the
-- letter.
ALTER TABLE digests ADD COLUMN outbox_id BIGINT;
CREATE INDEX digests_letter ON digests (outbox_id);
