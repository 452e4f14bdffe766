-- What staff write about a member: notes (staff only) and warnings (the member is told).
CREATE TABLE member_notes (
    id BIGSERIAL PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX member_notes_member ON member_notes (member_id, created_at);
