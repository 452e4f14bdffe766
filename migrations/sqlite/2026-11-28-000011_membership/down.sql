DROP TABLE applications;
DROP TABLE invitations;
ALTER TABLE members DROP COLUMN approved_at;
