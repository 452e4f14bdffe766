-- A new account is confirmed by following an emailed link; members who joined before
-- this are confirmed already.
ALTER TABLE members ADD COLUMN email_confirmed_at TIMESTAMP;
UPDATE members SET email_confirmed_at = created_at;

-- Links that confirm an address: single use, a day long; only a SHA-256 of the token is kept.
CREATE TABLE email_confirmations (
    id BIGSERIAL PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE UNIQUE INDEX email_confirmations_token ON email_confirmations (token_hash);
CREATE INDEX email_confirmations_member ON email_confirmations (member_id);
