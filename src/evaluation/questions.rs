//! The questions on a run's feedback form. A new run gets the default set, drawn from the
//! programme's aims; its admin may add, remove and reorder them until the first answer
//! comes in (after that the form stays as it was answered, so its results hang together).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::{EndLabel, Measure, Prompt, QuestionKind};
use crate::accounts::members::Viewer;
use crate::audit::{self, Entry};
use crate::db::{CourseRunId, DbConn, FeedbackQuestionId, WriteConn};
use crate::rules::RuleError;
use crate::schema::{feedback_questions, feedback_responses};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = feedback_questions)]
pub struct Question {
    pub id: FeedbackQuestionId,
    pub run_id: CourseRunId,
    pub position: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    pub low_label: String,
    pub high_label: String,
    pub measure: Measure,
}

/// A question as the admin's form describes it, parsed.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt: Prompt,
    /// The labels of a rating's two ends.
    pub ends: Option<(EndLabel, EndLabel)>,
    pub measure: Measure,
}

/// The default set: (kind, prompt, low end, high end, measure).
pub const DEFAULTS: [(QuestionKind, &str, &str, &str, Measure); 5] = [
    (
        QuestionKind::Rating,
        "Before the course, how well did you understand the other profession's role?",
        "Not at all",
        "Very well",
        Measure::Before,
    ),
    (
        QuestionKind::Rating,
        "After the course, how well do you understand the other profession's role?",
        "Not at all",
        "Very well",
        Measure::After,
    ),
    (
        QuestionKind::Rating,
        "How many useful new contacts did you make in the other profession?",
        "None",
        "Many",
        Measure::Neither,
    ),
    (
        QuestionKind::Text,
        "What plans, if any, do you have to work with the other profession?",
        "",
        "",
        Measure::Neither,
    ),
    (
        QuestionKind::Text,
        "What should we change about the course?",
        "",
        "",
        Measure::Neither,
    ),
];

/// The run's questions, in order.
pub fn of_run(conn: &mut DbConn, run: CourseRunId) -> QueryResult<Vec<Question>> {
    of_runs(conn, &[run])
}

/// The questions of several runs, by run and then in order: one query.
pub fn of_runs(conn: &mut DbConn, runs: &[CourseRunId]) -> QueryResult<Vec<Question>> {
    feedback_questions::table
        .filter(feedback_questions::run_id.eq_any(runs))
        .order((
            feedback_questions::run_id.asc(),
            feedback_questions::position.asc(),
            feedback_questions::id.asc(),
        ))
        .select(Question::as_select())
        .load(conn)
}

fn insert(
    conn: &mut DbConn,
    run: CourseRunId,
    position: i32,
    (kind, prompt, low, high, measure): (QuestionKind, &str, &str, &str, Measure),
) -> QueryResult<()> {
    diesel::insert_into(feedback_questions::table)
        .values((
            feedback_questions::run_id.eq(run),
            feedback_questions::position.eq(position),
            feedback_questions::kind.eq(kind),
            feedback_questions::prompt.eq(prompt),
            feedback_questions::low_label.eq(low),
            feedback_questions::high_label.eq(high),
            feedback_questions::measure.eq(measure),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Gives a new run the default questions (in the transaction that creates it).
pub fn add_defaults(conn: &mut DbConn, run: CourseRunId) -> QueryResult<()> {
    for (n, question) in DEFAULTS.into_iter().enumerate() {
        insert(conn, run, n as i32 + 1, question)?;
    }
    Ok(())
}

/// Whether anyone has answered the run's form yet.
pub fn answered(conn: &mut DbConn, run: CourseRunId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        feedback_responses::table.filter(feedback_responses::run_id.eq(run)),
    ))
    .get_result(conn)
}

/// Admins only, and only before the first answer.
fn require_editable(conn: &mut DbConn, actor: &Viewer, run: CourseRunId) -> Result<(), RuleError> {
    if !actor.staff.is_admin() {
        return Err(RuleError::forbidden(
            "Only admins change a run's feedback questions.",
        ));
    }
    crate::bookings::runs::find(conn, run)?;
    if answered(conn, run)? {
        return Err(RuleError::Conflict(
            "People have answered this form: its questions can no longer change.".into(),
        ));
    }
    Ok(())
}

fn log_change(
    conn: &mut DbConn,
    actor: &Viewer,
    run: CourseRunId,
    what: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "feedback questions changed",
            target_member: None,
            subject: &format!("run {run}: {what}"),
            reason: "",
        },
        now,
    )
}

/// Adds a question at the end of the form. A run has at most one "before" and one "after"
/// rating, the pair whose difference the results show as the course's shift.
pub fn add(
    tx: &mut WriteConn,
    actor: &Viewer,
    run: CourseRunId,
    new: &NewQuestion,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_editable(tx, actor, run)?;
    let existing = of_run(tx, run)?;
    if new.measure != Measure::Neither {
        if new.kind != QuestionKind::Rating {
            return Err(RuleError::Invalid(
                "measure",
                "Only a rating can measure before or after the course".into(),
            ));
        }
        if existing.iter().any(|q| q.measure == new.measure) {
            return Err(RuleError::Invalid(
                "measure",
                format!(
                    "This form already has a “{}” rating",
                    new.measure.label().to_lowercase()
                ),
            ));
        }
    }
    let (low, high) = match &new.ends {
        Some((low, high)) => (low.as_str(), high.as_str()),
        None => ("", ""),
    };
    let position = existing.iter().map(|q| q.position).max().unwrap_or(0) + 1;
    insert(
        tx,
        run,
        position,
        (new.kind, new.prompt.as_str(), low, high, new.measure),
    )?;
    log_change(
        tx,
        actor,
        run,
        &format!("added “{}”", new.prompt.as_str()),
        now,
    )?;
    Ok(())
}

/// Removes one question.
pub fn remove(
    tx: &mut WriteConn,
    actor: &Viewer,
    run: CourseRunId,
    question: FeedbackQuestionId,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_editable(tx, actor, run)?;
    let found = of_run(tx, run)?
        .into_iter()
        .find(|q| q.id == question)
        .ok_or(RuleError::NotFound)?;
    diesel::delete(feedback_questions::table.find(question)).execute(&mut **tx)?;
    log_change(tx, actor, run, &format!("removed “{}”", found.prompt), now)?;
    Ok(())
}

/// Moves one question a place up (`earlier`) or down the form.
pub fn reorder(
    tx: &mut WriteConn,
    actor: &Viewer,
    run: CourseRunId,
    question: FeedbackQuestionId,
    earlier: bool,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_editable(tx, actor, run)?;
    let mut order = of_run(tx, run)?;
    let at = order
        .iter()
        .position(|q| q.id == question)
        .ok_or(RuleError::NotFound)?;
    let to = if earlier {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|n| *n < order.len())
    };
    let Some(to) = to else {
        return Ok(());
    };
    order.swap(at, to);
    for (n, q) in order.iter().enumerate() {
        diesel::update(feedback_questions::table.find(q.id))
            .set(feedback_questions::position.eq(n as i32 + 1))
            .execute(&mut **tx)?;
    }
    let moved = &order[to].prompt;
    let way = if earlier { "up" } else { "down" };
    log_change(tx, actor, run, &format!("moved “{moved}” {way}"), now)?;
    Ok(())
}
