-- The pages SPOT publishes (privacy notice, terms of use, community guidelines,
-- accessibility statement, and the words above the contact form) as an admin last wrote
-- them. A page without a row shows the text SPOT ships with (src/published/defaults/).
-- The Markdown is cooked once, on save, like every other text.
CREATE TABLE site_pages (
    slug TEXT PRIMARY KEY NOT NULL,
    body_source TEXT NOT NULL,
    body_html TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES members (id) ON DELETE SET NULL
);

-- Messages sent through the contact form, for the facilitators: from a signed-in member
-- (member_id), or from a visitor who gave a name and an address to reply to.
CREATE TABLE contact_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX contact_messages_recent ON contact_messages (created_at, id);

-- Where a reply to a letter goes (a contact message's sender), as an RFC 5322 mailbox.
ALTER TABLE outbox ADD COLUMN reply_to TEXT;

-- One pruning of old rows a day, whichever app node gets to it first: a node claims the
-- day for a while, and marks it finished when done; a claim that lapses (the node died)
-- lets another node take the day over.
CREATE TABLE retention_runs (
    day TEXT PRIMARY KEY NOT NULL,
    claimed_until TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

-- What the pruning looks rows up by.
CREATE INDEX notifications_age ON notifications (created_at);
CREATE INDEX outbox_sent ON outbox (sent_at);
CREATE INDEX outbox_given_up ON outbox (failed_at);
