-- A participant's manager is told of the booking and confirms or declines it by a
-- single-use link; a run in 'confirm' mode holds the place for up to 7 days meanwhile.
ALTER TABLE course_runs ADD COLUMN manager_mode TEXT NOT NULL DEFAULT 'notify';
ALTER TABLE bookings ADD COLUMN manager_status TEXT NOT NULL DEFAULT 'none';
ALTER TABLE bookings ADD COLUMN manager_token_hash TEXT;
ALTER TABLE bookings ADD COLUMN manager_token_expires_at TIMESTAMP;
ALTER TABLE bookings ADD COLUMN manager_decided_at TIMESTAMP;
ALTER TABLE bookings ADD COLUMN manager_reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN place_held_until TIMESTAMP;
-- Why a participant cancelled (optional), and whether it was within 48 hours of the start.
ALTER TABLE bookings ADD COLUMN cancel_reason TEXT;
ALTER TABLE bookings ADD COLUMN cancelled_late BOOLEAN NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX bookings_manager_token ON bookings (manager_token_hash);
CREATE INDEX bookings_manager_waiting ON bookings (manager_status, place_held_until);
