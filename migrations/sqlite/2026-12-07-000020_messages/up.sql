-- Private conversations: one member writes to one other or to a small group (up to 16).
-- A message goes through the patient-data guard like a post: one its author confirmed
-- after a warning waits (held_at, no delivered_at) until a facilitator approves it.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
-- New members' daily allowance of new conversations counts these.
CREATE INDEX conversations_started_by ON conversations (started_by, created_at);

-- Who is in a conversation, how far each has read, and where it sits in their inbox.
CREATE TABLE conversation_members (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    joined_at TIMESTAMP NOT NULL,
    -- When this member last read it: messages delivered after that are unread.
    last_read_at TIMESTAMP NOT NULL,
    -- The newest message delivered to this member (or sent by them): the inbox's order.
    last_activity_at TIMESTAMP NOT NULL,
    muted BOOLEAN NOT NULL DEFAULT FALSE,
    left_at TIMESTAMP,
    PRIMARY KEY (conversation_id, member_id)
);
CREATE INDEX conversation_members_inbox ON conversation_members (member_id, last_activity_at);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    body_source TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Held by the patient-data guard: not delivered until a facilitator approves it.
    held_at TIMESTAMP,
    delivered_at TIMESTAMP,
    -- Hidden by a facilitator after a report.
    hidden_at TIMESTAMP,
    -- Its words taken out: its author's account was erased, or a returned hold lapsed.
    removed_at TIMESTAMP
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_delivered ON messages (conversation_id, delivered_at);
CREATE INDEX messages_author ON messages (author_id, id);

-- A member who blocked another: the blocked one cannot start a conversation with them,
-- and what they write elsewhere never reaches them. They are not told.
CREATE TABLE member_blocks (
    blocker_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    blocked_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX member_blocks_blocked ON member_blocks (blocked_id, blocker_id);

-- Who may start a conversation with a member: anyone, their cluster's members, nobody.
-- A member without a row takes messages from anyone.
CREATE TABLE message_settings (
    member_id BIGINT PRIMARY KEY NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    accepts TEXT NOT NULL DEFAULT 'anyone',
    updated_at TIMESTAMP NOT NULL
);

-- A message reported to the facilitators, who see it (and its author) and nothing else of
-- the conversation.
CREATE TABLE message_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by BIGINT REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX message_reports_queue ON message_reports (status, created_at);
CREATE INDEX message_reports_message ON message_reports (message_id, status);
CREATE INDEX message_reports_reporter ON message_reports (reporter_id);

-- A held message is a hold like a post.
ALTER TABLE holds ADD COLUMN message_id BIGINT REFERENCES messages (id) ON DELETE CASCADE;
CREATE INDEX holds_message ON holds (message_id);

-- New messages are a kind of notification, emailed straight away unless chosen otherwise.
ALTER TABLE notification_settings ADD COLUMN messages TEXT NOT NULL DEFAULT 'immediately';
ALTER TABLE notifications ADD COLUMN conversation_id BIGINT REFERENCES conversations (id) ON DELETE CASCADE;
CREATE INDEX notifications_conversation ON notifications (conversation_id, member_id);

-- Search finds a member's own conversations' messages: the index holds delivered,
-- visible messages; who may find which is checked when searching.
CREATE VIRTUAL TABLE search_messages USING fts5(
    body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_messages_gone AFTER DELETE ON messages BEGIN
    DELETE FROM search_messages WHERE rowid = old.id;
END;
-- The index is rebuilt at the next start with messages in it.
UPDATE search_state SET built_version = 0;
