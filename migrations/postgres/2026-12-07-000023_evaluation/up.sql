-- The feedback form of a run: the questions its admin sets, in order. A rating is 1 to 5
-- with a label at each end; `measure` marks the two ratings whose difference is the
-- course's shift ('before' and 'after': understanding of the other profession).
CREATE TABLE feedback_questions (
    id BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES course_runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rating', 'text')),
    prompt TEXT NOT NULL,
    low_label TEXT NOT NULL DEFAULT '',
    high_label TEXT NOT NULL DEFAULT '',
    measure TEXT NOT NULL DEFAULT '' CHECK (measure IN ('', 'before', 'after'))
);
CREATE INDEX feedback_questions_run ON feedback_questions (run_id, position);

-- One answered form. An anonymous one has no member: nothing in it, nor any time, ties it
-- to the person who gave it.
CREATE TABLE feedback_responses (
    id BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES course_runs (id) ON DELETE CASCADE,
    member_id BIGINT REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX feedback_responses_run ON feedback_responses (run_id);
CREATE INDEX feedback_responses_member ON feedback_responses (member_id);

CREATE TABLE feedback_answers (
    response_id BIGINT NOT NULL REFERENCES feedback_responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES feedback_questions (id) ON DELETE CASCADE,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    answer TEXT,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX feedback_answers_question ON feedback_answers (question_id);

-- Who has answered a run's form, so that nobody answers twice: no time, and no link to
-- the answer.
CREATE TABLE feedback_respondents (
    run_id BIGINT NOT NULL REFERENCES course_runs (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, member_id)
);
CREATE INDEX feedback_respondents_member ON feedback_respondents (member_id);

-- The invitation to give feedback, sent once to each participant after the last session.
CREATE TABLE feedback_invitations (
    run_id BIGINT NOT NULL REFERENCES course_runs (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, member_id)
);
CREATE INDEX feedback_invitations_member ON feedback_invitations (member_id);

-- The report counts attendance per session and member.
CREATE INDEX attendance_member ON attendance (member_id, session_id);

-- Runs made before feedback forms existed get the default set.
INSERT INTO feedback_questions (run_id, position, kind, prompt, low_label, high_label, measure)
SELECT id, 1, 'rating', 'Before the course, how well did you understand the other profession''s role?', 'Not at all', 'Very well', 'before' FROM course_runs;
INSERT INTO feedback_questions (run_id, position, kind, prompt, low_label, high_label, measure)
SELECT id, 2, 'rating', 'After the course, how well do you understand the other profession''s role?', 'Not at all', 'Very well', 'after' FROM course_runs;
INSERT INTO feedback_questions (run_id, position, kind, prompt, low_label, high_label, measure)
SELECT id, 3, 'rating', 'How many useful new contacts did you make in the other profession?', 'None', 'Many', '' FROM course_runs;
INSERT INTO feedback_questions (run_id, position, kind, prompt, low_label, high_label, measure)
SELECT id, 4, 'text', 'What plans, if any, do you have to work with the other profession?', '', '', '' FROM course_runs;
INSERT INTO feedback_questions (run_id, position, kind, prompt, low_label, high_label, measure)
SELECT id, 5, 'text', 'What should we change about the course?', '', '', '' FROM course_runs;

-- The programme report's community activity, counted once per day that has ended (by the
-- borough and role of the member who did it), so that the report reads a year of it without
-- counting a year of posts each time; today's is counted live.
CREATE TABLE activity_days (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    borough TEXT NOT NULL,
    role TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, kind, borough, role)
);
-- The last day counted into activity_days (one row).
CREATE TABLE activity_counted (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    through_day TEXT NOT NULL
);
