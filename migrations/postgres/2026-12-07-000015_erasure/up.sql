-- An erased account stays as a tombstone row (what others wrote in reply still hangs
-- together) with nothing in it that names the person.
ALTER TABLE members ADD COLUMN erased_at TIMESTAMP;
