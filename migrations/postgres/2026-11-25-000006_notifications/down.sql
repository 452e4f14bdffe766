DROP TABLE digest_runs;
DROP TABLE digests;
DROP TABLE outbox;
DROP TABLE tag_follows;
DROP TABLE category_watches;
DROP TABLE thread_watches;
DROP TABLE notifications;
DROP TABLE notification_settings;
