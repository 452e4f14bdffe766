-- Sessions their member signed out of. The session itself lives in the member's encrypted
-- cookie; a copy of that cookie taken before sign-out is refused while its id is here. Rows
-- older than the longest a session may live (SPOT_SESSION_DAYS) are no longer needed.
CREATE TABLE ended_sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    ended_at TIMESTAMP NOT NULL
);
CREATE INDEX ended_sessions_by_time ON ended_sessions (ended_at);
