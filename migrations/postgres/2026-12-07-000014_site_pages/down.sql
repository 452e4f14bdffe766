DROP INDEX outbox_given_up;
DROP INDEX outbox_sent;
DROP INDEX notifications_age;
DROP TABLE retention_runs;
ALTER TABLE outbox DROP COLUMN reply_to;
DROP TABLE contact_messages;
DROP TABLE site_pages;
