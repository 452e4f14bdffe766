//! What an admin's course form may carry, parsed, and where a booking stands.

use std::fmt;

use chrono::{Duration, NaiveDateTime, TimeZone};
use chrono_tz::Europe::London;

use crate::accounts::values::text_enum;

text_enum!(BookingStatus, "a booking status", {
    Booked => ("booked", "Booked"),
    Waiting => ("waiting", "Waiting"),
    Cancelled => ("cancelled", "Cancelled"),
});

impl BookingStatus {
    /// A booking that still counts: a place held, or a place on the waiting list.
    pub const LIVE: [BookingStatus; 2] = [BookingStatus::Booked, BookingStatus::Waiting];
}

text_enum!(ManagerMode, "what the manager's answer does", {
    Notify => ("notify", "Inform the manager: the booking stands unless they decline"),
    Confirm => ("confirm", "Ask the manager to confirm: the place is held for up to 7 days"),
});

text_enum!(ManagerStatus, "where the manager's answer stands", {
    NotAsked => ("none", "Not asked"),
    Informed => ("informed", "Manager informed"),
    Awaiting => ("awaiting", "Waiting for the manager"),
    Confirmed => ("confirmed", "Confirmed by the manager"),
    Declined => ("declined", "Declined by the manager"),
    Lapsed => ("lapsed", "Not confirmed in time"),
});

impl ManagerStatus {
    /// Whether the manager's link still takes an answer.
    pub fn open(self) -> bool {
        matches!(self, ManagerStatus::Informed | ManagerStatus::Awaiting)
    }
}

/// What a participant cancelling late is told.
pub const LATE_HOURS_NOTE: &str = "The first session is less than 48 hours away: the facilitators will be told, so that they can plan.";

/// How long a run in `confirm` mode holds a place for the manager's answer.
pub const MANAGER_HOLD_DAYS: i64 = 7;

/// A participant's manager, as the booking form names them: both are required, the
/// address is where the booking goes for confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub name: String,
    pub email: crate::accounts::Email,
}

impl Manager {
    pub fn parse(name: &str, email: &str) -> Result<Self, Vec<(&'static str, String)>> {
        let mut faults = Vec::new();
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        match name.chars().count() {
            0 => faults.push(("manager_name", "Enter your manager's name".to_owned())),
            1 => faults.push(("manager_name", "Enter your manager's full name".to_owned())),
            n if n > 120 => faults.push((
                "manager_name",
                "Manager's name must be 120 characters or fewer".to_owned(),
            )),
            _ => {}
        }
        let email = if email.trim().is_empty() {
            faults.push((
                "manager_email",
                "Enter your manager's work email address: we send them the booking to confirm"
                    .to_owned(),
            ));
            None
        } else {
            match crate::accounts::Email::parse(email) {
                Ok(email) => Some(email),
                Err(message) => {
                    faults.push(("manager_email", message));
                    None
                }
            }
        };
        match email {
            Some(email) if faults.is_empty() => Ok(Self { name, email }),
            _ => Err(faults),
        }
    }
}

/// Why a participant cancels, if they say: optional, up to 500 characters, never anything
/// that identifies a patient (the facilitators read it).
pub fn parse_cancel_reason(input: &str) -> Result<Option<String>, String> {
    let reason = input.trim();
    if reason.is_empty() {
        return Ok(None);
    }
    if reason.chars().count() > 500 {
        return Err("Keep the reason to 500 characters or fewer".into());
    }
    crate::guard::refuse_identifying(reason)?;
    Ok(Some(reason.to_owned()))
}

/// Places on a run: the brief says up to 15; a run needs at least 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity(i32);

impl Capacity {
    pub const DEFAULT: i32 = 15;

    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(Self(Self::DEFAULT));
        }
        let places: i32 = input
            .parse()
            .map_err(|_| "Enter the number of places as a whole number, like 15".to_string())?;
        if !(2..=100).contains(&places) {
            return Err("A run has between 2 and 100 places".into());
        }
        Ok(Self(places))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// The online meeting link: https only, so it is never sent in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingUrl(String);

impl MeetingUrl {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Err("Enter the online meeting link".into());
        }
        let url = url::Url::parse(input).map_err(|_| {
            "Enter the meeting link as a full web address, starting https://".to_string()
        })?;
        if url.scheme() != "https" || url.host_str().is_none() {
            return Err("The meeting link must start with https://".into());
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A run's title: one line of up to 200 characters, its spaces tidied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunTitle(String);

impl RunTitle {
    pub const MAX: usize = 200;

    pub fn parse(input: &str) -> Result<Self, String> {
        let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
        match title.chars().count() {
            0 => Err("Enter a title".into()),
            1..=Self::MAX => Ok(Self(title)),
            _ => Err("Title must be 200 characters or fewer".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a facilitator books someone in, kept with the booking: a few words at least.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookInReason(String);

impl BookInReason {
    pub fn parse(input: &str) -> Result<Self, String> {
        let reason = input.trim();
        if reason.chars().count() < 3 {
            return Err("Say why they are booked in".into());
        }
        crate::guard::refuse_identifying(reason)?;
        Ok(Self(reason.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When the first session starts, typed in London time as `YYYY-MM-DDTHH:MM`.
pub fn parse_london_start(input: &str) -> Result<NaiveDateTime, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("Enter the date and time of the first session".into());
    }
    NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M").map_err(|_| {
        "Enter the first session as a date and time, like 2027-03-02T14:00".to_string()
    })
}

/// The UTC start of each session: the same London clock time on each session day, so a
/// 2 pm course stays at 2 pm when the clocks change between sessions.
pub fn session_starts(
    first_london: NaiveDateTime,
    count: u32,
    weeks_between: u32,
) -> Result<Vec<NaiveDateTime>, String> {
    (0..count)
        .map(|n| {
            let local = first_london + Duration::weeks(i64::from(n * weeks_between));
            London
                .from_local_datetime(&local)
                .earliest()
                .map(|at| at.naive_utc())
                .ok_or_else(|| {
                    format!(
                        "{} does not exist in London: the clocks go forward then. Choose another time",
                        local.format("%-d %B %Y %H:%M")
                    )
                })
        })
        .collect()
}

/// A whole number within bounds, for counts on the course form.
pub fn bounded(input: &str, default: u32, min: u32, max: u32, what: &str) -> Result<u32, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(default);
    }
    let value: u32 = input
        .parse()
        .map_err(|_| format!("Enter the {what} as a whole number"))?;
    if !(min..=max).contains(&value) {
        return Err(format!("The {what} must be between {min} and {max}"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::values::stored;
    use chrono::NaiveDate;

    #[test]
    fn booking_statuses_are_stored_as_the_same_words_as_ever() {
        use BookingStatus::*;
        stored::assert_stored_as(
            BookingStatus::ALL,
            &[
                (Booked, "booked"),
                (Waiting, "waiting"),
                (Cancelled, "cancelled"),
            ],
            &["Booked", "pending", ""],
        );
    }

    #[test]
    fn capacity_defaults_to_fifteen_and_refuses_silly_numbers() {
        assert_eq!(Capacity::parse("").unwrap().get(), 15);
        assert!(Capacity::parse("0").is_err());
        assert!(Capacity::parse("1000").is_err());
        assert!(Capacity::parse("ten").is_err());
    }

    #[test]
    fn run_titles_are_one_line_and_bounded() {
        assert_eq!(
            RunTitle::parse("  SPOT course:\n Bolton ")
                .unwrap()
                .as_str(),
            "SPOT course: Bolton"
        );
        assert!(RunTitle::parse(" \n ").is_err());
        assert!(RunTitle::parse(&"a".repeat(201)).is_err());
        assert!(RunTitle::parse(&"a".repeat(200)).is_ok());
    }

    #[test]
    fn a_book_in_reason_says_something() {
        assert!(BookInReason::parse("  ab  ").is_err());
        assert_eq!(
            BookInReason::parse(" Works across two boroughs ")
                .unwrap()
                .as_str(),
            "Works across two boroughs"
        );
    }

    #[test]
    fn meeting_links_must_be_https() {
        assert!(MeetingUrl::parse("https://teams.microsoft.com/l/meetup-join/abc").is_ok());
        assert!(MeetingUrl::parse("http://zoom.us/j/1").is_err());
        assert!(MeetingUrl::parse("javascript:alert(1)").is_err());
        assert!(MeetingUrl::parse("").is_err());
    }

    #[test]
    fn sessions_keep_their_london_time_across_the_clock_change() {
        // Tuesdays at 2 pm London either side of the last Sunday of October 2026.
        let first = NaiveDate::from_ymd_opt(2026, 10, 20)
            .unwrap()
            .and_hms_opt(14, 0, 0)
            .unwrap();
        let starts = session_starts(first, 3, 1).unwrap();
        assert_eq!(
            starts[0].format("%Y-%m-%d %H:%M").to_string(),
            "2026-10-20 13:00"
        ); // BST
        assert_eq!(
            starts[1].format("%Y-%m-%d %H:%M").to_string(),
            "2026-10-27 14:00"
        ); // GMT
        assert_eq!(
            starts[2].format("%Y-%m-%d %H:%M").to_string(),
            "2026-11-03 14:00"
        );
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused() {
        let skipped = NaiveDate::from_ymd_opt(2027, 3, 28)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert!(session_starts(skipped, 1, 1).is_err());
    }

    #[test]
    fn start_times_parse_from_the_form() {
        assert!(parse_london_start("2027-03-02T14:00").is_ok());
        assert!(parse_london_start("next tuesday").is_err());
        assert!(parse_london_start("2027-02-30T14:00").is_err());
    }
}
