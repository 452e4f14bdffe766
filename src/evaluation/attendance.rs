//! Who attended, by the register: a member attended a session when it marks them present;
//! attended the course when they attended at least one session; completed it when they
//! attended every session. Hours attended are the attended sessions' lengths added up.

use diesel::prelude::*;

use crate::bookings::catalogue::Session;
use crate::db::{CourseRunId, DbConn, MemberId};
use crate::schema::{attendance, course_sessions};

/// The sessions of the run the member attended, in order.
pub fn sessions_attended(
    conn: &mut DbConn,
    run: CourseRunId,
    member: MemberId,
) -> QueryResult<Vec<Session>> {
    course_sessions::table
        .inner_join(attendance::table.on(attendance::session_id.eq(course_sessions::id)))
        .filter(course_sessions::run_id.eq(run))
        .filter(attendance::member_id.eq(member))
        .filter(attendance::present.eq(true))
        .order(course_sessions::starts_at.asc())
        .select(Session::as_select())
        .load(conn)
}

/// Whether the member attended at least one session of the run.
pub fn attended(conn: &mut DbConn, run: CourseRunId, member: MemberId) -> QueryResult<bool> {
    Ok(!sessions_attended(conn, run, member)?.is_empty())
}

/// Minutes attended, from the sessions attended.
pub fn minutes(sessions: &[Session]) -> i64 {
    sessions.iter().map(|s| i64::from(s.duration_minutes)).sum()
}

/// "6 hours", "1 hour 30 minutes", "45 minutes".
pub fn hours_phrase(minutes: i64) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    let plural = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (hours, rest) {
        (0, rest) => plural(rest, "minute"),
        (hours, 0) => plural(hours, "hour"),
        (hours, rest) => format!("{} {}", plural(hours, "hour"), plural(rest, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use super::hours_phrase;

    #[test]
    fn hours_read_as_people_say_them() {
        assert_eq!(hours_phrase(360), "6 hours");
        assert_eq!(hours_phrase(60), "1 hour");
        assert_eq!(hours_phrase(90), "1 hour 30 minutes");
        assert_eq!(hours_phrase(45), "45 minutes");
        assert_eq!(hours_phrase(61), "1 hour 1 minute");
    }
}
