-- Reminders before each course session (two days and one hour ahead), each sent once to
-- each participant; and whether a member wants them emailed.
CREATE TABLE session_reminders (
    session_id BIGINT NOT NULL REFERENCES course_sessions (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, member_id, kind)
);
ALTER TABLE notification_settings ADD COLUMN reminders TEXT NOT NULL DEFAULT 'immediately';
