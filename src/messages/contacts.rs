//! Who may write to whom: each member's choice of who may start a conversation with them
//! (anyone, their cluster of boroughs, nobody) and the members they blocked. A blocked
//! member cannot start a conversation with the one who blocked them, and what they write in
//! a conversation they already share is not delivered to them. A refusal reads the same
//! whatever its cause, so nobody learns that they were blocked.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::Accepts;
use crate::accounts::members::{Member, Viewer};
use crate::accounts::Borough;
use crate::db::{DbConn, MemberId, WriteConn};
use crate::rules::RuleError;
use crate::schema::{member_blocks, members, message_settings};

/// Whom a member takes new conversations from.
pub fn accepts(conn: &mut DbConn, member: MemberId) -> QueryResult<Accepts> {
    Ok(message_settings::table
        .find(member)
        .select(message_settings::accepts)
        .first::<Accepts>(conn)
        .optional()?
        .unwrap_or(Accepts::Anyone))
}

/// Saves whom the member takes new conversations from.
pub fn set_accepts(
    tx: &mut WriteConn,
    member: MemberId,
    accepts: Accepts,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    let updated = diesel::update(message_settings::table.find(member))
        .set((
            message_settings::accepts.eq(accepts),
            message_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(message_settings::table)
            .values((
                message_settings::member_id.eq(member),
                message_settings::accepts.eq(accepts),
                message_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The members this one blocked.
pub fn blocked_by(conn: &mut DbConn, member: MemberId) -> QueryResult<Vec<MemberId>> {
    member_blocks::table
        .filter(member_blocks::blocker_id.eq(member))
        .select(member_blocks::blocked_id)
        .load(conn)
}

/// Of `members`, those who blocked `author`.
pub fn who_blocked(
    conn: &mut DbConn,
    author: MemberId,
    members: &[MemberId],
) -> QueryResult<HashSet<MemberId>> {
    Ok(member_blocks::table
        .filter(member_blocks::blocked_id.eq(author))
        .filter(member_blocks::blocker_id.eq_any(members))
        .select(member_blocks::blocker_id)
        .load::<MemberId>(conn)?
        .into_iter()
        .collect())
}

/// The members a member blocked, by name, for their settings page.
pub fn blocked_list(conn: &mut DbConn, member: MemberId) -> QueryResult<Vec<(MemberId, String)>> {
    member_blocks::table
        .inner_join(members::table.on(members::id.eq(member_blocks::blocked_id)))
        .filter(member_blocks::blocker_id.eq(member))
        .order(members::sort_name.asc())
        .select((members::id, members::display_name))
        .load(conn)
}

/// Blocks (or unblocks) another member. Nobody is told.
pub fn set_block(
    tx: &mut WriteConn,
    viewer: &Viewer,
    other: MemberId,
    block: bool,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    if other == viewer.id {
        return Err(RuleError::Invalid(
            "member",
            "You cannot block yourself".into(),
        ));
    }
    let conn: &mut DbConn = tx;
    let exists: bool = members::table
        .find(other)
        .filter(members::erased_at.is_null())
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        return Err(RuleError::NotFound);
    }
    let row = member_blocks::table.find((viewer.id, other));
    if block {
        if row.count().get_result::<i64>(conn)? == 0 {
            diesel::insert_into(member_blocks::table)
                .values((
                    member_blocks::blocker_id.eq(viewer.id),
                    member_blocks::blocked_id.eq(other),
                    member_blocks::created_at.eq(now),
                ))
                .execute(conn)?;
        }
    } else {
        diesel::delete(row).execute(conn)?;
    }
    Ok(())
}

/// What a sender is told about someone who will not get their new conversation, whatever
/// the reason (their choice, a block): the same words, so a block is never given away.
pub fn does_not_take(names: &[String]) -> String {
    match names {
        [one] => format!("{one} does not take new messages from you. Take them out to send this."),
        many => format!(
            "{} do not take new messages from you. Take them out to send this.",
            many.join(", ")
        ),
    }
}

/// Whether someone working in `recipient` takes a new conversation from someone working in
/// `sender`: their choice, and no block.
fn takes_from(recipient: Borough, accepts: Accepts, blocked: bool, sender: Borough) -> bool {
    !blocked
        && match accepts {
            Accepts::Anyone => true,
            Accepts::Cluster => recipient.cluster().contains(&sender),
            Accepts::Nobody => false,
        }
}

/// Of `people`, those who take a new conversation from `sender`: for the "Send a message"
/// buttons on directory cards and counterparts, which show only where the rule would let
/// the message through. Three queries however many people.
pub fn open_to(
    conn: &mut DbConn,
    sender: &Viewer,
    people: &[MemberId],
) -> QueryResult<HashSet<MemberId>> {
    let blockers = who_blocked(conn, sender.id, people)?;
    let chosen: std::collections::HashMap<MemberId, Accepts> = message_settings::table
        .filter(message_settings::member_id.eq_any(people))
        .select((message_settings::member_id, message_settings::accepts))
        .load(conn)?
        .into_iter()
        .collect();
    let boroughs: Vec<(MemberId, Borough)> = members::table
        .filter(members::id.eq_any(people))
        .filter(members::id.ne(sender.id))
        .select((members::id, members::borough))
        .load(conn)?;
    Ok(boroughs
        .into_iter()
        .filter(|(id, borough)| {
            let accepts = chosen.get(id).copied().unwrap_or(Accepts::Anyone);
            takes_from(*borough, accepts, blockers.contains(id), sender.borough)
        })
        .map(|(id, _)| id)
        .collect())
}

/// The recipients (in order) who will not take a new conversation from the sender, by name.
pub fn refusing(
    conn: &mut DbConn,
    sender: &Member,
    recipients: &[Member],
) -> QueryResult<Vec<String>> {
    let ids: Vec<MemberId> = recipients.iter().map(|m| m.id).collect();
    let blockers = who_blocked(conn, sender.id, &ids)?;
    let chosen: Vec<(MemberId, Accepts)> = message_settings::table
        .filter(message_settings::member_id.eq_any(&ids))
        .select((message_settings::member_id, message_settings::accepts))
        .load(conn)?;
    Ok(recipients
        .iter()
        .filter(|recipient| {
            let accepts = chosen
                .iter()
                .find(|(id, _)| *id == recipient.id)
                .map_or(Accepts::Anyone, |(_, a)| *a);
            !takes_from(
                recipient.borough,
                accepts,
                blockers.contains(&recipient.id),
                sender.borough,
            )
        })
        .map(|recipient| recipient.display_name.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_takes_its_own_boroughs_only() {
        let (wigan, bolton, bury) = (Borough::Wigan, Borough::Bolton, Borough::Bury);
        assert!(takes_from(wigan, Accepts::Cluster, false, bolton));
        assert!(!takes_from(wigan, Accepts::Cluster, false, bury));
        assert!(takes_from(wigan, Accepts::Anyone, false, bury));
        assert!(!takes_from(wigan, Accepts::Anyone, true, bury), "blocked");
        assert!(!takes_from(wigan, Accepts::Nobody, false, bolton));
    }

    #[test]
    fn a_block_and_a_refusal_read_the_same() {
        assert_eq!(
            does_not_take(&["Ann".into()]),
            "Ann does not take new messages from you. Take them out to send this."
        );
        assert!(does_not_take(&["Ann".into(), "Bo".into()]).starts_with("Ann, Bo do not"));
    }
}
