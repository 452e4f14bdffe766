CREATE TABLE resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description_source TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    url TEXT,
    -- The file's name in the upload store: generated, never the uploader's.
    file_key TEXT,
    original_name TEXT,
    content_type TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    audience TEXT NOT NULL CHECK (audience IN ('both', 'link_worker', 'occupational_therapist')),
    borough TEXT,
    owner_id BIGINT NOT NULL REFERENCES members (id),
    hidden_at TIMESTAMP,
    download_count BIGINT NOT NULL DEFAULT 0,
    thread_id BIGINT REFERENCES threads (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX resources_recent ON resources (created_at, id);
CREATE INDEX resources_sha256 ON resources (sha256);
CREATE INDEX resources_owner ON resources (owner_id);
CREATE INDEX resources_audience ON resources (audience, created_at);
CREATE INDEX resources_borough ON resources (borough, created_at);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags (name);

CREATE TABLE resource_tags (
    resource_id BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (resource_id, tag_id)
);
CREATE INDEX resource_tags_tag ON resource_tags (tag_id, resource_id);

-- "Discuss this resource" opens threads here.
INSERT INTO categories (slug, name, description, position, archived, public_read, staff_threads_only)
VALUES ('resource-discussions', 'Resource discussions', 'Talk about the leaflets, templates and links in the resource library.', 6, 0, 0, 0);
