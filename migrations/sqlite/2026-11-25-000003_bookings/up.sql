CREATE TABLE course_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 2 AND 100),
    meeting_url TEXT NOT NULL,
    booking_open BOOLEAN NOT NULL DEFAULT 1,
    cancelled_at TIMESTAMP,
    ot_facilitator_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    link_worker_facilitator_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE course_run_boroughs (
    run_id BIGINT NOT NULL REFERENCES course_runs (id) ON DELETE CASCADE,
    borough TEXT NOT NULL,
    PRIMARY KEY (run_id, borough)
);

CREATE TABLE course_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id BIGINT NOT NULL REFERENCES course_runs (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL
);
CREATE UNIQUE INDEX course_sessions_order ON course_sessions (run_id, number);
CREATE INDEX course_sessions_upcoming ON course_sessions (starts_at);

CREATE TABLE bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id BIGINT NOT NULL REFERENCES course_runs (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('booked', 'waiting', 'cancelled')),
    -- A booked place holds a numbered seat; the unique index below is the last guard
    -- against more bookings than places, whatever happens above it.
    seat INTEGER,
    manager_agreed BOOLEAN NOT NULL,
    manager_name TEXT NOT NULL DEFAULT '',
    manager_email TEXT NOT NULL DEFAULT '',
    override_reason TEXT,
    booked_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    -- Order on the waiting list.
    queued_at TIMESTAMP NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX bookings_seat ON bookings (run_id, seat);
-- One course only: a member has at most one live booking or waiting place.
CREATE UNIQUE INDEX bookings_one_live ON bookings (member_id) WHERE status IN ('booked', 'waiting');
CREATE INDEX bookings_run ON bookings (run_id, status, queued_at, id);

CREATE TABLE attendance (
    session_id BIGINT NOT NULL REFERENCES course_sessions (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    present BOOLEAN NOT NULL,
    PRIMARY KEY (session_id, member_id)
);

-- A run's private cohort space is a forum category only its participants and
-- facilitators can read.
ALTER TABLE categories ADD COLUMN course_run_id BIGINT REFERENCES course_runs (id) ON DELETE SET NULL;
CREATE INDEX categories_course_run ON categories (course_run_id);
