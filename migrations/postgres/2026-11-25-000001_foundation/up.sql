CREATE TABLE members (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('link_worker', 'occupational_therapist')),
    borough TEXT NOT NULL,
    organisation TEXT NOT NULL,
    about_source TEXT NOT NULL DEFAULT '',
    about_html TEXT NOT NULL DEFAULT '',
    listed BOOLEAN NOT NULL DEFAULT TRUE,
    staff TEXT NOT NULL DEFAULT 'member' CHECK (staff IN ('member', 'facilitator', 'admin')),
    suspended_at TIMESTAMP,
    suspended_until TIMESTAMP,
    suspension_reason TEXT,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Emails are stored lower-cased; the index makes them unique whatever the case typed.
CREATE UNIQUE INDEX members_email ON members (email);
CREATE INDEX members_directory ON members (listed, sort_name, id);
CREATE INDEX members_directory_role ON members (listed, role, borough, sort_name, id);
CREATE INDEX members_directory_borough ON members (listed, borough, sort_name, id);
CREATE INDEX members_staff ON members (staff, sort_name);

CREATE TABLE password_resets (
    id BIGSERIAL PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE UNIQUE INDEX password_resets_token ON password_resets (token_hash);
CREATE INDEX password_resets_member ON password_resets (member_id);

-- Recent sign-in failures, registrations and reset requests, for rate limits that hold
-- across several app nodes.
CREATE TABLE throttle_events (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX throttle_events_lookup ON throttle_events (kind, subject, created_at);
CREATE INDEX throttle_events_age ON throttle_events (created_at);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    actor_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target_member_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    subject TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_recent ON audit_log (created_at, id);
CREATE INDEX audit_log_target ON audit_log (target_member_id, created_at);
