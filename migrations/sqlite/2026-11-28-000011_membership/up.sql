-- Members-only means approved members only. Everyone who joined before this is approved.
ALTER TABLE members ADD COLUMN approved_at TIMESTAMP;
UPDATE members SET approved_at = created_at;

-- Links that let a person (or a course cohort) join without waiting for approval; only a
-- SHA-256 of the token is kept.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by BIGINT REFERENCES members (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX invitations_token ON invitations (token_hash);
CREATE INDEX invitations_recent ON invitations (created_at, id);

-- What a person who joined told the facilitators, and what became of it.
CREATE TABLE applications (
    member_id BIGINT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    about_work TEXT NOT NULL DEFAULT '',
    invitation_id BIGINT REFERENCES invitations (id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX applications_queue ON applications (status, submitted_at);
