CREATE TABLE categories (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    -- Visitors (signed out) may read; the forum is members-only otherwise.
    public_read BOOLEAN NOT NULL DEFAULT FALSE,
    -- Only facilitators start threads (everyone may reply), as in Announcements.
    staff_threads_only BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX categories_slug ON categories (slug);
CREATE INDEX categories_order ON categories (archived, position, id);

CREATE TABLE threads (
    id BIGSERIAL PRIMARY KEY,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    author_id BIGINT NOT NULL REFERENCES members (id),
    title TEXT NOT NULL,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    post_count INTEGER NOT NULL DEFAULT 0,
    -- Position of the newest post: posts are numbered 1, 2, 3… within their thread.
    last_position INTEGER NOT NULL DEFAULT 0,
    last_post_at TIMESTAMP NOT NULL,
    last_poster_id BIGINT NOT NULL REFERENCES members (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX threads_listing ON threads (category_id, pinned, last_post_at, id);
CREATE INDEX threads_recent ON threads (last_post_at, id);
CREATE INDEX threads_author ON threads (author_id);

CREATE TABLE posts (
    id BIGSERIAL PRIMARY KEY,
    thread_id BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES members (id),
    position INTEGER NOT NULL,
    reply_to_id BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    body_source TEXT NOT NULL,
    body_html TEXT NOT NULL,
    helpful_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    deleted_at TIMESTAMP,
    hidden_at TIMESTAMP,
    hidden_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    hidden_reason TEXT
);
CREATE UNIQUE INDEX posts_in_order ON posts (thread_id, position);
CREATE INDEX posts_replies ON posts (reply_to_id);
CREATE INDEX posts_author ON posts (author_id, created_at);
CREATE INDEX posts_recent ON posts (created_at);

CREATE TABLE post_revisions (
    id BIGSERIAL PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    body_source TEXT NOT NULL,
    body_html TEXT NOT NULL,
    written_at TIMESTAMP NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE post_mentions (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, member_id)
);
CREATE INDEX post_mentions_member ON post_mentions (member_id);

CREATE TABLE helpful_marks (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, member_id)
);
CREATE INDEX helpful_marks_member ON helpful_marks (member_id, post_id);

CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
    created_at TIMESTAMP NOT NULL,
    closed_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    closed_at TIMESTAMP
);
CREATE UNIQUE INDEX reports_once_per_member ON reports (post_id, reporter_id);
CREATE INDEX reports_queue ON reports (status, created_at);

CREATE TABLE thread_reads (
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    thread_id BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    last_read_position INTEGER NOT NULL,
    PRIMARY KEY (member_id, thread_id)
);

INSERT INTO categories (slug, name, description, position, staff_threads_only) VALUES
    ('announcements', 'Announcements', 'News from the SPOT team and facilitators. Facilitators start threads; everyone can reply.', 1, TRUE),
    ('introductions', 'Introductions', 'Say hello: who you are, where you work, what you would like from SPOT.', 2, FALSE),
    ('post-covid-rehabilitation', 'Post-Covid rehabilitation', 'Long Covid, fatigue, pacing and getting back to what matters: approaches that work.', 3, FALSE),
    ('practice-questions', 'Practice questions', 'Ask the other profession: referrals, assessments, tricky situations (never anything that identifies a person).', 4, FALSE),
    ('local-services', 'Local services & boroughs', 'What is on in each borough: groups, services, waiting times, who to contact.', 5, FALSE);
