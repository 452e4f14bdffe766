-- What the patient-data guard holds back: an item saved by an author who confirmed it
-- despite the guard's warning waits here for a facilitator, seen by nobody else meanwhile.
-- Held posts and resources are also hidden (hidden_at), so every list that leaves hidden
-- things out leaves them out too; held_at tells the two apart.
ALTER TABLE posts ADD COLUMN held_at TIMESTAMP;
ALTER TABLE threads ADD COLUMN held_at TIMESTAMP;
ALTER TABLE resources ADD COLUMN held_at TIMESTAMP;

CREATE TABLE holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    thread_id BIGINT REFERENCES threads (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    resource_id BIGINT REFERENCES resources (id) ON DELETE CASCADE,
    -- A new item is counted and announced when it is approved; an edited one already was.
    fresh BOOLEAN NOT NULL,
    -- The hold hid the item (it was not hidden by a facilitator before).
    hid BOOLEAN NOT NULL,
    -- A profile's new text waits here; the profile keeps showing the text approved before.
    pending_text TEXT,
    status TEXT NOT NULL,
    held_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX holds_queue ON holds (status, held_at);
CREATE INDEX holds_author ON holds (author_id, status);
CREATE INDEX holds_post ON holds (post_id);
CREATE INDEX holds_thread ON holds (thread_id);
CREATE INDEX holds_resource ON holds (resource_id);
