//! Unsubscribe links that work without signing in and cannot be forged: the member and what
//! to stop, signed with the site's key.

use hmac::Mac;
use subtle::ConstantTimeEq;

use super::values::Scope;
use crate::db::MemberId;
use crate::Site;

fn signature(key: &[u8], member: MemberId, scope: Scope) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length works");
    mac.update(format!("unsubscribe:{member}:{}", scope.slug()).as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

pub fn token(key: &[u8], member: MemberId, scope: Scope) -> String {
    format!(
        "{member}.{}.{}",
        scope.slug(),
        signature(key, member, scope)
    )
}

pub fn url(site: &Site, member: MemberId, scope: Scope) -> String {
    format!(
        "{}/unsubscribe/{}",
        site.base_url,
        token(&site.feed_key, member, scope)
    )
}

/// The member and scope of a genuine token; `None` for anything else.
pub fn check(key: &[u8], token: &str) -> Option<(MemberId, Scope)> {
    let mut parts = token.splitn(3, '.');
    let member = MemberId(parts.next()?.parse().ok()?);
    let scope = Scope::from_slug(parts.next()?)?;
    let given = parts.next()?;
    let expected = signature(key, member, scope);
    bool::from(given.as_bytes().ct_eq(expected.as_bytes())).then_some((member, scope))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::values::{Cadence, Topic};

    const KEY: &[u8] = b"a test key";

    #[test]
    fn a_token_names_its_member_and_scope() {
        let made = token(KEY, MemberId(42), Scope::Digest(Cadence::Daily));
        assert_eq!(
            check(KEY, &made),
            Some((MemberId(42), Scope::Digest(Cadence::Daily)))
        );
    }

    #[test]
    fn changed_or_foreign_tokens_are_refused() {
        let made = token(KEY, MemberId(42), Scope::Topic(Topic::Replies));
        assert_eq!(check(KEY, &made.replacen("42", "43", 1)), None);
        assert_eq!(check(KEY, &made.replace("replies", "mentions")), None);
        assert_eq!(check(b"another key", &made), None);
        assert_eq!(check(KEY, "42.replies"), None);
        assert_eq!(check(KEY, ""), None);
    }
}
