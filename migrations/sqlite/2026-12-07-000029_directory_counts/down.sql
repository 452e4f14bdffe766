DROP INDEX members_suspended;
DROP TRIGGER directory_counts_changed;
DROP TRIGGER directory_counts_gone;
DROP TRIGGER directory_counts_joined;
DROP TABLE directory_counts;
