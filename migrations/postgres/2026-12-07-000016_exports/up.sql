-- Exports of a member's data (UK GDPR right of access and portability): one zip each,
-- built in the background by whichever node's worker claims it, kept in the upload store
-- for 24 hours and then deleted by the same worker.
CREATE TABLE exports (
    id BIGSERIAL PRIMARY KEY,
    -- Whose data it is.
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    -- Who asked and may download it: the member, or an admin (a subject access request).
    requested_by BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    -- waiting, building, ready or failed.
    status TEXT NOT NULL,
    items_done INTEGER NOT NULL DEFAULT 0,
    items_total INTEGER NOT NULL DEFAULT 0,
    -- A building export belongs to its worker until then; a worker that died lets it go.
    claimed_until TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Only a SHA-256 of the emailed link's token, as for other tokens.
    token_hash TEXT,
    -- The zip's key in the upload store, and its size.
    file_key TEXT,
    size_bytes BIGINT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    expires_at TIMESTAMP
);
-- One at a time: a member (or an admin, for that member) asking again while theirs is
-- waiting or being built is shown that one.
CREATE UNIQUE INDEX exports_one_at_a_time ON exports (member_id, requested_by)
    WHERE status IN ('waiting', 'building');
CREATE INDEX exports_queue ON exports (status, created_at);
CREATE INDEX exports_expiry ON exports (expires_at);
CREATE INDEX exports_requester ON exports (requested_by);
CREATE UNIQUE INDEX exports_token ON exports (token_hash);
