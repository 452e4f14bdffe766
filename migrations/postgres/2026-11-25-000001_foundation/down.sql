DROP TABLE audit_log;
DROP TABLE throttle_events;
DROP TABLE password_resets;
DROP TABLE members;
