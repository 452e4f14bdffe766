-- What a member hears about, and how: in the app (notifications), by email (outbox).

-- One row per member who changed a default; a member without a row has the defaults.
CREATE TABLE notification_settings (
    member_id BIGINT PRIMARY KEY NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    replies TEXT NOT NULL DEFAULT 'immediately',
    mentions TEXT NOT NULL DEFAULT 'immediately',
    watching TEXT NOT NULL DEFAULT 'daily',
    tags TEXT NOT NULL DEFAULT 'daily',
    moderation TEXT NOT NULL DEFAULT 'immediately',
    roundup TEXT NOT NULL DEFAULT 'weekly',
    auto_watch BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    headline TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL,
    thread_id BIGINT REFERENCES threads (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    resource_id BIGINT REFERENCES resources (id) ON DELETE CASCADE,
    run_id BIGINT REFERENCES course_runs (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    -- How this one is emailed, fixed when it is made: immediately, daily, weekly or never.
    email TEXT NOT NULL,
    emailed_at TIMESTAMP
);
CREATE INDEX notifications_by_member ON notifications (member_id, id);
CREATE INDEX notifications_unread ON notifications (member_id) WHERE read_at IS NULL;
CREATE INDEX notifications_for_digest ON notifications (email, member_id) WHERE emailed_at IS NULL;
CREATE INDEX notifications_post ON notifications (post_id);
CREATE INDEX notifications_thread ON notifications (thread_id);

-- A row with watching = FALSE is a member who turned a thread off: replying again does not
-- turn it back on.
CREATE TABLE thread_watches (
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    thread_id BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    watching BOOLEAN NOT NULL,
    PRIMARY KEY (member_id, thread_id)
);
CREATE INDEX thread_watches_thread ON thread_watches (thread_id, member_id);

CREATE TABLE category_watches (
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, category_id)
);
CREATE INDEX category_watches_category ON category_watches (category_id, member_id);

CREATE TABLE tag_follows (
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, tag_id)
);
CREATE INDEX tag_follows_tag ON tag_follows (tag_id, member_id);

-- Email waiting to go, and what went. The worker claims a row for a while (claimed_until),
-- sends it, and marks it sent; a failure waits longer each time (next_attempt_at).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    to_name TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT,
    unsubscribe_url TEXT,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment_body BLOB,
    message_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    failed_at TIMESTAMP,
    last_error TEXT
);
CREATE UNIQUE INDEX outbox_message_id ON outbox (message_id);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_recent ON outbox (created_at);

-- One digest per member, cadence and period: two app nodes cannot both send it.
CREATE TABLE digests (
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    cadence TEXT NOT NULL,
    period TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, cadence, period)
);

-- A digest period whose letters are all written: later rounds skip it at the cost of one
-- lookup, instead of looking through every member again.
CREATE TABLE digest_runs (
    cadence TEXT NOT NULL,
    period TEXT NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    PRIMARY KEY (cadence, period)
);
