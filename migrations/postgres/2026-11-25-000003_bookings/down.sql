DROP INDEX categories_course_run;
ALTER TABLE categories DROP COLUMN course_run_id;
DROP TABLE attendance;
DROP TABLE bookings;
DROP TABLE course_sessions;
DROP TABLE course_run_boroughs;
DROP TABLE course_runs;
