DROP INDEX members_suspended;
DROP TRIGGER directory_counts_changed ON members;
DROP TRIGGER directory_counts_joined ON members;
DROP FUNCTION directory_counts_follow();
DROP TABLE directory_counts;
