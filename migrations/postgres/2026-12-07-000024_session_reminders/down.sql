ALTER TABLE notification_settings DROP COLUMN reminders;
DROP TABLE session_reminders;
