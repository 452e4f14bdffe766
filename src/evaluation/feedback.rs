//! Answering a run's feedback form, and its results.
//!
//! Only members who attended the run answer, once each. An anonymous answer is stored
//! without any link to its author: the response has no member and no time, and the marker
//! that stops a second answer (`feedback_respondents`) says only that the member answered,
//! not what or when. Nothing about answering goes in the audit log or the outbox. The
//! results name a named answer to admins only; the run's facilitators see every answer
//! unnamed.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::attendance;
use super::questions::{self, Question};
use super::values::{FreeText, Measure, QuestionKind, Rating};
use crate::accounts::members::Viewer;
use crate::bookings::catalogue::{self, RunSummary};
use crate::db::{CourseRunId, DbConn, FeedbackQuestionId, FeedbackResponseId, MemberId, WriteConn};
use crate::rules::RuleError;
use crate::schema::{
    feedback_answers, feedback_questions, feedback_respondents, feedback_responses, members,
};

/// Where a member stands with a run's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The register shows no session attended.
    NotAttended,
    /// Attended, but the last session has not started yet.
    NotYet(NaiveDateTime),
    /// Attended and may answer.
    Open,
    Answered,
}

impl Standing {
    pub fn may_answer(self) -> bool {
        self == Standing::Open
    }
}

pub fn has_answered(conn: &mut DbConn, run: CourseRunId, member: MemberId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        feedback_respondents::table
            .filter(feedback_respondents::run_id.eq(run))
            .filter(feedback_respondents::member_id.eq(member)),
    ))
    .get_result(conn)
}

/// The form opens when the last session starts (participants often answer in its closing
/// minutes) and stays open.
pub fn standing(
    conn: &mut DbConn,
    summary: &RunSummary,
    member: MemberId,
    now: NaiveDateTime,
) -> QueryResult<Standing> {
    let run = summary.run.id;
    if !attendance::attended(conn, run, member)? {
        return Ok(Standing::NotAttended);
    }
    if has_answered(conn, run, member)? {
        return Ok(Standing::Answered);
    }
    let last_start = summary.sessions.iter().map(|s| s.starts_at).max();
    Ok(match last_start {
        Some(start) if start > now => Standing::NotYet(start),
        _ => Standing::Open,
    })
}

/// One answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Rating(Rating),
    Text(FreeText),
}

/// A filled-in form, parsed against the run's questions.
#[derive(Debug, Clone)]
pub struct Answers {
    pub given: Vec<(FeedbackQuestionId, Answer)>,
    pub anonymous: bool,
}

/// Stores the member's answers, once. Refused for anyone the register does not show at
/// the run, before the form opens, and a second time.
pub fn submit(
    tx: &mut WriteConn,
    member: &Viewer,
    run: CourseRunId,
    answers: &Answers,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    tx.serialize_on(&format!("feedback:{run}:{}", member.id))?;
    let summary = catalogue::one(tx, run)?;
    match standing(tx, &summary, member.id, now)? {
        Standing::NotAttended => {
            return Err(RuleError::forbidden(
                "Only people who attended this course can give feedback on it.",
            ))
        }
        Standing::NotYet(_) => {
            return Err(RuleError::Conflict(
                "The feedback form opens when the last session starts.".into(),
            ))
        }
        Standing::Answered => {
            return Err(RuleError::Conflict(
                "You have already given feedback on this course: thank you.".into(),
            ))
        }
        Standing::Open => {}
    }
    let asked: HashMap<FeedbackQuestionId, QuestionKind> = questions::of_run(tx, run)?
        .into_iter()
        .map(|q| (q.id, q.kind))
        .collect();
    for (question, answer) in &answers.given {
        let fits = matches!(
            (asked.get(question), answer),
            (Some(QuestionKind::Rating), Answer::Rating(_))
                | (Some(QuestionKind::Text), Answer::Text(_))
        );
        if !fits {
            return Err(RuleError::Invalid(
                "answers",
                "The form has changed since it was opened: please answer it again".into(),
            ));
        }
    }
    diesel::insert_into(feedback_respondents::table)
        .values((
            feedback_respondents::run_id.eq(run),
            feedback_respondents::member_id.eq(member.id),
        ))
        .execute(&mut **tx)?;
    let author = (!answers.anonymous).then_some(member.id);
    let response: FeedbackResponseId = diesel::insert_into(feedback_responses::table)
        .values((
            feedback_responses::run_id.eq(run),
            feedback_responses::member_id.eq(author),
        ))
        .returning(feedback_responses::id)
        .get_result(&mut **tx)?;
    for (question, answer) in &answers.given {
        let (rating, text) = match answer {
            Answer::Rating(r) => (Some(r.get()), None),
            Answer::Text(t) => (None, Some(t.as_str())),
        };
        diesel::insert_into(feedback_answers::table)
            .values((
                feedback_answers::response_id.eq(response),
                feedback_answers::question_id.eq(question),
                feedback_answers::rating.eq(rating),
                feedback_answers::answer.eq(text),
            ))
            .execute(&mut **tx)?;
    }
    Ok(())
}

/// One rating question's answers.
#[derive(Debug, Clone)]
pub struct RatingResult {
    pub question: Question,
    /// How many gave 1, 2, 3, 4, 5.
    pub distribution: [i64; 5],
}

impl RatingResult {
    pub fn count(&self) -> i64 {
        self.distribution.iter().sum()
    }

    pub fn average(&self) -> Option<f64> {
        let total: i64 = (1..=5).zip(self.distribution).map(|(n, c)| n * c).sum();
        (self.count() > 0).then(|| total as f64 / self.count() as f64)
    }
}

/// The before/after pair over the responses that answered both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    pub paired: i64,
    pub before: f64,
    pub after: f64,
}

impl Shift {
    pub fn change(&self) -> f64 {
        self.after - self.before
    }
}

/// A free-text answer as the results list it: its author's name only when named and the
/// reader is an admin.
#[derive(Debug, Clone)]
pub struct Written {
    pub name: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct TextResult {
    pub question: Question,
    pub answers: Vec<Written>,
}

#[derive(Debug, Clone)]
pub struct Results {
    pub summary: RunSummary,
    pub responses: i64,
    pub anonymous: i64,
    pub ratings: Vec<RatingResult>,
    pub shift: Option<Shift>,
    pub texts: Vec<TextResult>,
    /// Whether names are shown (admins only).
    pub named: bool,
}

/// The ratings given, for tallies: (run, question, response, rating).
pub type RatingRow = (CourseRunId, FeedbackQuestionId, FeedbackResponseId, i32);

/// Every rating given on these runs' forms: one query.
pub fn ratings_of(conn: &mut DbConn, runs: &[CourseRunId]) -> QueryResult<Vec<RatingRow>> {
    feedback_answers::table
        .inner_join(feedback_questions::table)
        .filter(feedback_questions::run_id.eq_any(runs))
        .filter(feedback_answers::rating.is_not_null())
        .select((
            feedback_questions::run_id,
            feedback_answers::question_id,
            feedback_answers::response_id,
            feedback_answers::rating.assume_not_null(),
        ))
        .load(conn)
}

/// Each rating question's distribution, in the questions' order.
pub fn tally(questions: &[Question], ratings: &[RatingRow]) -> Vec<RatingResult> {
    questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Rating)
        .map(|question| {
            let mut distribution = [0; 5];
            for (_, _, _, rating) in ratings.iter().filter(|r| r.1 == question.id) {
                if let Some(slot) = distribution.get_mut((*rating - 1) as usize) {
                    *slot += 1;
                }
            }
            RatingResult {
                question: question.clone(),
                distribution,
            }
        })
        .collect()
}

/// The shift between the "before" and "after" ratings of the given questions (one run's,
/// or several runs' together), over the responses that gave both.
pub fn shift(questions: &[Question], ratings: &[RatingRow]) -> Option<Shift> {
    let marked = |measure: Measure| -> Vec<FeedbackQuestionId> {
        questions
            .iter()
            .filter(|q| q.measure == measure)
            .map(|q| q.id)
            .collect()
    };
    let (befores, afters) = (marked(Measure::Before), marked(Measure::After));
    let mut pairs: HashMap<FeedbackResponseId, (Option<i32>, Option<i32>)> = HashMap::new();
    for (_, question, response, rating) in ratings {
        if befores.contains(question) {
            pairs.entry(*response).or_default().0 = Some(*rating);
        } else if afters.contains(question) {
            pairs.entry(*response).or_default().1 = Some(*rating);
        }
    }
    let both: Vec<(i32, i32)> = pairs
        .into_values()
        .filter_map(|(before, after)| Some((before?, after?)))
        .collect();
    if both.is_empty() {
        return None;
    }
    let n = both.len() as f64;
    Some(Shift {
        paired: both.len() as i64,
        before: both.iter().map(|(b, _)| f64::from(*b)).sum::<f64>() / n,
        after: both.iter().map(|(_, a)| f64::from(*a)).sum::<f64>() / n,
    })
}

/// The free-text answers, each question's sorted by their text (not by when they came, so
/// that the order says nothing about who wrote what).
fn texts(conn: &mut DbConn, questions: &[Question], named: bool) -> QueryResult<Vec<TextResult>> {
    let asked: Vec<FeedbackQuestionId> = questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Text)
        .map(|q| q.id)
        .collect();
    let rows: Vec<(FeedbackQuestionId, String, Option<String>)> = feedback_answers::table
        .inner_join(feedback_responses::table)
        .left_join(members::table.on(feedback_responses::member_id.eq(members::id.nullable())))
        .filter(feedback_answers::question_id.eq_any(&asked))
        .filter(feedback_answers::answer.is_not_null())
        .select((
            feedback_answers::question_id,
            feedback_answers::answer.assume_not_null(),
            members::display_name.nullable(),
        ))
        .load(conn)?;
    Ok(questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Text)
        .map(|question| {
            let mut answers: Vec<Written> = rows
                .iter()
                .filter(|(q, _, _)| *q == question.id)
                .map(|(_, text, name)| Written {
                    name: name.clone().filter(|_| named),
                    text: text.clone(),
                })
                .collect();
            answers.sort_by(|a, b| a.text.cmp(&b.text));
            TextResult {
                question: question.clone(),
                answers,
            }
        })
        .collect())
}

/// The run's results, for its facilitators and admins.
pub fn results(conn: &mut DbConn, viewer: &Viewer, run: CourseRunId) -> Result<Results, RuleError> {
    if !crate::bookings::runs::facilitates(conn, viewer, run)? {
        return Err(RuleError::forbidden(
            "Only this course's facilitators and admins can see its feedback.",
        ));
    }
    let summary = catalogue::one(conn, run)?;
    let questions = questions::of_run(conn, run)?;
    let counts: Vec<Option<MemberId>> = feedback_responses::table
        .filter(feedback_responses::run_id.eq(run))
        .select(feedback_responses::member_id)
        .load(conn)?;
    let ratings = ratings_of(conn, &[run])?;
    let named = viewer.staff.is_admin();
    Ok(Results {
        responses: counts.len() as i64,
        anonymous: counts.iter().filter(|m| m.is_none()).count() as i64,
        ratings: tally(&questions, &ratings),
        shift: shift(&questions, &ratings),
        texts: texts(conn, &questions, named)?,
        named,
        summary,
    })
}

/// The results as a CSV file: one row per answer, question by question. Names appear only
/// in an admin's copy, and only for named answers.
pub fn csv(results: &Results) -> anyhow::Result<Vec<u8>> {
    use crate::bookings::roster::spreadsheet_safe;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["Question", "Kind", "Rating", "Count", "Answer", "Name"])?;
    for rating in &results.ratings {
        for (n, count) in (1..=5).zip(rating.distribution) {
            writer.write_record([
                spreadsheet_safe(&rating.question.prompt),
                "rating".into(),
                n.to_string(),
                count.to_string(),
                String::new(),
                String::new(),
            ])?;
        }
    }
    for text in &results.texts {
        for answer in &text.answers {
            writer.write_record([
                spreadsheet_safe(&text.question.prompt),
                "text".into(),
                String::new(),
                String::new(),
                spreadsheet_safe(&answer.text),
                answer
                    .name
                    .as_deref()
                    .map(spreadsheet_safe)
                    .unwrap_or_default(),
            ])?;
        }
    }
    Ok(writer.into_inner()?)
}

/// The member's own named answers, for their data export: (run, course title, question,
/// rating, text). Anonymous answers are nobody's, so never in an export.
pub type OwnAnswer = (CourseRunId, String, String, Option<i32>, Option<String>);

pub fn own_named_answers(conn: &mut DbConn, member: MemberId) -> QueryResult<Vec<OwnAnswer>> {
    use crate::schema::course_runs;
    feedback_answers::table
        .inner_join(feedback_responses::table)
        .inner_join(feedback_questions::table)
        .inner_join(course_runs::table.on(course_runs::id.eq(feedback_responses::run_id)))
        .filter(feedback_responses::member_id.eq(member))
        .order((
            feedback_responses::id.asc(),
            feedback_questions::position.asc(),
        ))
        .select((
            feedback_responses::run_id,
            course_runs::title,
            feedback_questions::prompt,
            feedback_answers::rating,
            feedback_answers::answer,
        ))
        .load(conn)
}

/// An erased member's named answers go: their words with them, their ratings too (the
/// run's figures lose one response). The marker that they answered goes as well.
pub fn forget_member(conn: &mut DbConn, member: MemberId) -> QueryResult<()> {
    diesel::delete(feedback_responses::table.filter(feedback_responses::member_id.eq(member)))
        .execute(conn)?;
    diesel::delete(feedback_respondents::table.filter(feedback_respondents::member_id.eq(member)))
        .execute(conn)?;
    Ok(())
}
