//! One ID type per table, so a `ThreadId` cannot be passed where a `MemberId` is wanted.

/// Declares an ID newtype stored as a 64-bit integer on both engines.
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                i64::from_sql(bytes).map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A row of `members`.
    MemberId
);

id_type!(
    /// A row of `categories`.
    CategoryId
);
id_type!(
    /// A row of `threads`.
    ThreadId
);
id_type!(
    /// A row of `posts`.
    PostId
);
id_type!(
    /// A row of `reports`.
    ReportId
);
id_type!(
    /// A row of `course_runs`: one run of the course for a cluster of boroughs.
    CourseRunId
);
id_type!(
    /// A row of `course_sessions`.
    SessionId
);
id_type!(
    /// A row of `bookings`.
    BookingId
);
id_type!(
    /// A row of `resources`: a shared file or link.
    ResourceId
);
id_type!(
    /// A row of `tags`.
    TagId
);
id_type!(
    /// A row of `notifications`: one thing one member hears about.
    NotificationId
);
id_type!(
    /// A row of `outbox`: one email, waiting or sent.
    OutboxId
);
id_type!(
    /// A row of `invitations`: a link that lets people join without waiting for approval.
    InvitationId
);
id_type!(
    /// A row of `holds`: something the patient-data guard keeps back for a facilitator.
    HoldId
);
id_type!(
    /// A row of `member_notes`: a staff note or a warning about a member.
    MemberNoteId
);
id_type!(
    /// A row of `contact_messages`: one message sent to the facilitators through the form.
    ContactMessageId
);
id_type!(
    /// A row of `conversations`: private messages between a few members.
    ConversationId
);
id_type!(
    /// A row of `messages`: one private message in a conversation.
    MessageId
);
id_type!(
    /// A row of `message_reports`: a private message reported to the facilitators.
    MessageReportId
);
id_type!(
    /// A row of `feedback_questions`: one question on a run's feedback form.
    FeedbackQuestionId
);
id_type!(
    /// A row of `feedback_responses`: one answered feedback form (anonymous or named).
    FeedbackResponseId
);
id_type!(
    /// A row of `site_marks`: the programme's or a partner's mark in the footer.
    MarkId
);
