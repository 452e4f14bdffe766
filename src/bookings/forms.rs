//! The course forms as sent: each is read by serde, shown again as typed with its errors,
//! and parsed into the values its rule takes.

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::places::ManagerAgreement;
use super::runs::{CourseRun, NewRun, RunChange};
use super::values::{
    bounded, parse_london_start, session_starts, BookInReason, Capacity, Manager, ManagerMode,
    MeetingUrl, RunTitle,
};
use crate::accounts::{Borough, Email};
use crate::db::MemberId;
use crate::web::forms::{first, FieldErrors};

/// A member books a place: their word that their manager agreed the time, and who their
/// manager is (the booking goes to them to confirm or decline).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookForm {
    pub manager_agreed: Option<String>,
    pub manager_name: String,
    pub manager_email: String,
}

impl BookForm {
    /// The member's word about their manager, or what is wrong with it.
    pub fn parse(&self) -> Result<ManagerAgreement, FieldErrors> {
        let mut errors = FieldErrors::new();
        let agreed = self.manager_agreed.as_deref() == Some("yes");
        if !agreed {
            errors.add(
                "manager_agreed",
                "Confirm you have agreed the time for all the sessions with your manager",
            );
        }
        let manager = match Manager::parse(&self.manager_name, &self.manager_email) {
            Ok(manager) => Some(manager),
            Err(faults) => {
                for (field, message) in faults {
                    errors.add(field, message);
                }
                None
            }
        };
        match manager {
            Some(manager) if errors.is_empty() => Ok(ManagerAgreement {
                agreed,
                manager: Some(manager),
            }),
            _ => Err(errors),
        }
    }
}

/// A participant gives up their place: the reason is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    pub reason: String,
}

/// A facilitator books a member in by their address, saying why.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookInForm {
    pub email: String,
    pub reason: String,
    pub manager_agreed: Option<String>,
}

impl BookInForm {
    /// Whom to book in and why; their manager's agreement must be ticked.
    pub fn parse(&self) -> Result<(Email, BookInReason), FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(&self.email));
        let reason = errors.check("reason", BookInReason::parse(&self.reason));
        if self.manager_agreed.is_none() {
            errors.add(
                "manager_agreed",
                "Their manager must agree the time before they are booked",
            );
        }
        match (email, reason) {
            (Some(email), Some(reason)) if errors.is_empty() => Ok((email, reason)),
            _ => Err(errors),
        }
    }
}

/// The course run form as sent (`boroughs` repeats), for a new run and for changing one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RunForm {
    #[serde(deserialize_with = "first")]
    pub title: String,
    #[serde(deserialize_with = "first")]
    pub description: String,
    pub boroughs: Vec<String>,
    #[serde(deserialize_with = "first")]
    pub capacity: String,
    #[serde(deserialize_with = "first")]
    pub starts_at: String,
    #[serde(deserialize_with = "first")]
    pub session_count: String,
    #[serde(deserialize_with = "first")]
    pub weeks_between: String,
    #[serde(deserialize_with = "first")]
    pub duration_minutes: String,
    #[serde(deserialize_with = "first")]
    pub meeting_url: String,
    #[serde(deserialize_with = "first")]
    pub ot_facilitator: String,
    #[serde(deserialize_with = "first")]
    pub link_worker_facilitator: String,
    #[serde(deserialize_with = "first")]
    pub manager_mode: String,
}

fn parse_person(raw: &str) -> Result<Option<MemberId>, String> {
    match raw.trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| "Choose a facilitator from the list".to_string()),
    }
}

fn chosen(person: Option<MemberId>) -> String {
    person.map(|id| id.to_string()).unwrap_or_default()
}

impl RunForm {
    /// A new run's form as it first shows: the usual numbers filled in.
    pub fn first() -> Self {
        Self {
            capacity: "15".into(),
            session_count: "3".into(),
            weeks_between: "1".into(),
            duration_minutes: "120".into(),
            ..Self::default()
        }
    }

    /// The form filled in with a run's details as they are.
    pub fn of(run: &CourseRun) -> Self {
        Self {
            title: run.title.clone(),
            description: run.description.clone(),
            capacity: run.capacity.to_string(),
            meeting_url: run.meeting_url.clone(),
            ot_facilitator: chosen(run.ot_facilitator_id),
            link_worker_facilitator: chosen(run.link_worker_facilitator_id),
            manager_mode: run.manager_mode.slug().to_owned(),
            ..Self::default()
        }
    }

    /// A new run, or a message for each field at fault, in the order the form shows them.
    pub fn parse_new(&self, now: NaiveDateTime) -> Result<NewRun, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", RunTitle::parse(&self.title));
        // A run's page is read by every member: nothing on it may identify a patient.
        if let Err(message) = crate::guard::refuse_identifying(&self.description) {
            errors.add("description", message);
        }
        let boroughs: Vec<Borough> = self
            .boroughs
            .iter()
            .filter_map(|b| Borough::parse(b).ok())
            .collect();
        if boroughs.is_empty() || boroughs.len() != self.boroughs.len() {
            errors.add("boroughs", "Choose the boroughs this run serves");
        }
        let capacity = errors.check("capacity", Capacity::parse(&self.capacity));
        let first = errors.check("starts_at", parse_london_start(&self.starts_at));
        let count = errors.check(
            "session_count",
            bounded(&self.session_count, 3, 1, 10, "number of sessions"),
        );
        let weeks = errors.check(
            "weeks_between",
            bounded(&self.weeks_between, 1, 1, 8, "weeks between sessions"),
        );
        let minutes = errors.check(
            "duration_minutes",
            bounded(&self.duration_minutes, 120, 15, 480, "session length"),
        );
        let meeting = self.parse_meeting(&mut errors);
        let manager_mode = errors.check("manager_mode", self.parse_manager_mode());
        let starts = match (first, count, weeks) {
            (Some(first), Some(count), Some(weeks)) => {
                let starts = errors.check("starts_at", session_starts(first, count, weeks));
                if starts
                    .as_ref()
                    .and_then(|s| s.first())
                    .is_some_and(|s| *s <= now)
                {
                    errors.add("starts_at", "The first session must be in the future");
                }
                starts
            }
            _ => None,
        };
        match (title, capacity, starts, minutes, meeting, manager_mode) {
            (
                Some(title),
                Some(capacity),
                Some(session_starts),
                Some(minutes),
                Some((meeting_url, ot, lw)),
                Some(manager_mode),
            ) if errors.is_empty() => Ok(NewRun {
                title,
                description: self.description.trim().to_owned(),
                boroughs,
                capacity,
                meeting_url,
                session_starts,
                duration_minutes: minutes as i32,
                ot_facilitator: ot,
                link_worker_facilitator: lw,
                manager_mode,
            }),
            _ => Err(errors),
        }
    }

    /// `notify` when the form leaves it out.
    fn parse_manager_mode(&self) -> Result<ManagerMode, String> {
        match self.manager_mode.trim() {
            "" => Ok(ManagerMode::Notify),
            mode => ManagerMode::parse(mode),
        }
    }

    /// The changes to a run's details, or a message for each field at fault.
    pub fn parse_change(&self) -> Result<RunChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", RunTitle::parse(&self.title));
        // A run's page is read by every member: nothing on it may identify a patient.
        if let Err(message) = crate::guard::refuse_identifying(&self.description) {
            errors.add("description", message);
        }
        let capacity = errors.check("capacity", Capacity::parse(&self.capacity));
        let meeting = self.parse_meeting(&mut errors);
        let manager_mode = errors.check("manager_mode", self.parse_manager_mode());
        match (title, capacity, meeting, manager_mode) {
            (Some(title), Some(capacity), Some((meeting_url, ot, lw)), Some(manager_mode))
                if errors.is_empty() =>
            {
                Ok(RunChange {
                    title,
                    description: self.description.trim().to_owned(),
                    capacity,
                    meeting_url,
                    ot_facilitator: ot,
                    link_worker_facilitator: lw,
                    manager_mode,
                })
            }
            _ => Err(errors),
        }
    }

    /// Where the sessions meet, and who facilitates them (each field checked).
    fn parse_meeting(
        &self,
        errors: &mut FieldErrors,
    ) -> Option<(MeetingUrl, Option<MemberId>, Option<MemberId>)> {
        let meeting_url = errors.check("meeting_url", MeetingUrl::parse(&self.meeting_url));
        let ot = errors.check("ot_facilitator", parse_person(&self.ot_facilitator));
        let lw = errors.check(
            "link_worker_facilitator",
            parse_person(&self.link_worker_facilitator),
        );
        Some((meeting_url?, ot?, lw?))
    }
}
