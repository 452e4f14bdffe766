DROP TABLE activity_counted;
DROP TABLE activity_days;
DROP INDEX attendance_member;
DROP TABLE feedback_invitations;
DROP TABLE feedback_respondents;
DROP TABLE feedback_answers;
DROP TABLE feedback_responses;
DROP TABLE feedback_questions;
