//! Who is asking: the signed-in member (if any), the form token and flash messages of the
//! session, and the extractors handlers name in their signatures.

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use base64::Engine as _;
use futures_util::future::LocalBoxFuture;
use rand::RngCore;

use super::AppError;
use crate::accounts::members::Member;
pub use crate::accounts::members::Viewer;
use crate::accounts::sessions;
use crate::accounts::StaffLevel;
use crate::db::{self, Db, MemberId};
use crate::notifications::inbox;
use crate::Site;

const MEMBER_KEY: &str = "member";
const EPOCH_KEY: &str = "epoch";
/// The session's own id, listed as ended when its member signs out.
const SESSION_ID_KEY: &str = "sid";
/// When the member signed in, in seconds since 1970: a session lives `session_lifetime`.
const SINCE_KEY: &str = "since";
const CSRF_KEY: &str = "csrf";
const FLASH_KEY: &str = "flash";

/// What the layout needs to draw any page.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub viewer: Option<Viewer>,
    /// The session's form token, masked afresh for this page.
    pub csrf_token: String,
    pub flash: Vec<String>,
    pub path: String,
    /// The viewer's unread notifications, for the header.
    pub unread: i64,
    /// The viewer's unread private messages (in conversations they have not muted).
    pub unread_messages: i64,
    /// The programme's and partners' marks, for the footer.
    pub marks: std::sync::Arc<Vec<crate::marks::FooterMark>>,
}

impl PageCtx {
    pub async fn of(req: &HttpRequest) -> Result<Self, AppError> {
        let viewer = viewer_of(req).await?;
        let session = req.get_session();
        let csrf_token = masked(&csrf_token(&session)?);
        let flash = take_flash(&session);
        Ok(PageCtx {
            viewer,
            csrf_token,
            flash,
            path: req.path().to_owned(),
            unread: unread_of(req).notifications,
            unread_messages: unread_of(req).messages,
            marks: footer_marks(req).await,
        })
    }

    /// For pages drawn where no request is at hand.
    pub fn anonymous() -> Self {
        Self {
            viewer: None,
            csrf_token: String::new(),
            flash: Vec::new(),
            path: String::new(),
            unread: 0,
            unread_messages: 0,
            marks: Default::default(),
        }
    }
}

/// The footer's marks, as this node last read them.
async fn footer_marks(req: &HttpRequest) -> std::sync::Arc<Vec<crate::marks::FooterMark>> {
    match (
        req.app_data::<web::Data<crate::marks::FooterMarks>>(),
        req.app_data::<web::Data<Db>>(),
    ) {
        (Some(marks), Some(db)) => marks.current(db).await,
        _ => Default::default(),
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The session's form token, made on first use.
pub fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(CSRF_KEY).ok().flatten() {
        return Ok(token);
    }
    let token = random_token();
    session
        .insert(CSRF_KEY, &token)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("session write failed: {e}")))?;
    Ok(token)
}

/// The session's token as its raw bytes, to compare a sent one against.
pub fn expected_csrf_token(session: &Session) -> Option<Vec<u8>> {
    let token = session.get::<String>(CSRF_KEY).ok().flatten()?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
}

/// The token as a page carries it: XORed with a fresh random pad, the pad in front. Every
/// page then shows different bytes for the same secret, so a compressed page's length
/// tells an eavesdropper nothing about it (BREACH), while any of them unmasks to it.
pub fn masked(token: &str) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let raw = engine.decode(token).unwrap_or_default();
    let mut pad = vec![0u8; raw.len()];
    rand::thread_rng().fill_bytes(&mut pad);
    let mut out = pad.clone();
    out.extend(raw.iter().zip(&pad).map(|(byte, key)| byte ^ key));
    engine.encode(out)
}

/// The raw token inside a masked one; `None` for anything that is not one.
pub fn unmask(sent: &[u8]) -> Option<Vec<u8>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sent)
        .ok()?;
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return None;
    }
    let (pad, hidden) = bytes.split_at(bytes.len() / 2);
    Some(
        hidden
            .iter()
            .zip(pad)
            .map(|(byte, key)| byte ^ key)
            .collect(),
    )
}

/// Whether the request's session belongs to a signed-in member (without loading them).
pub fn signed_in(session: &Session) -> bool {
    session.contains_key(MEMBER_KEY)
}

/// Signs a member in: a fresh session (new form token too), bound to their epoch.
pub fn start_session(session: &Session, member: &Member) -> Result<(), AppError> {
    // clear + renew, not purge: a purged session drops whatever is written after it.
    session.clear();
    session.renew();
    let write = |key: &str, value: serde_json::Value| {
        session
            .insert(key, value)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("session write failed: {e}")))
    };
    write(MEMBER_KEY, member.id.0.into())?;
    write(EPOCH_KEY, member.session_epoch.into())?;
    write(SESSION_ID_KEY, random_token().into())?;
    write(SINCE_KEY, chrono::Utc::now().timestamp().into())?;
    write(CSRF_KEY, random_token().into())?;
    Ok(())
}

/// Keeps this session signed in after the member's epoch moved on (their own password change).
pub fn refresh_epoch(session: &Session, epoch: i32) -> Result<(), AppError> {
    session
        .insert(EPOCH_KEY, epoch)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("session write failed: {e}")))
}

/// Signs out, keeping a session (and a new form token) for the flash message that follows.
/// Returns the id of the session that ended, for the list of ended sessions.
pub fn end_session(session: &Session) -> Option<String> {
    let ended = session.get::<String>(SESSION_ID_KEY).ok().flatten();
    session.clear();
    session.renew();
    ended
}

/// The messages left for this page, taken off the session. Only a session that had some is
/// changed: a changed session is encrypted and sent again as a cookie, which every page
/// would otherwise pay for.
fn take_flash(session: &Session) -> Vec<String> {
    match session.get::<Vec<String>>(FLASH_KEY) {
        Ok(Some(messages)) => {
            session.remove(FLASH_KEY);
            messages
        }
        _ => Vec::new(),
    }
}

/// A one-off message for the next page the member sees.
pub fn flash(session: &Session, message: impl Into<String>) {
    let mut messages: Vec<String> = session.get(FLASH_KEY).ok().flatten().unwrap_or_default();
    messages.push(message.into());
    let _ = session.insert(FLASH_KEY, messages);
}

/// This request's viewer, once looked up: shared by every extractor that asks. actix polls a
/// handler's extractors together, so `PageCtx` and `CurrentMember` would each miss a plain
/// cache while the other waits on the database, and look the member up twice.
#[derive(Default)]
struct ViewerOnce(tokio::sync::OnceCell<Option<Viewer>>);

/// The member behind this request's session, checked against the database once per request
/// (a password change or a suspension ends the session at once).
async fn viewer_of(req: &HttpRequest) -> Result<Option<Viewer>, AppError> {
    let once = {
        let mut extensions = req.extensions_mut();
        match extensions.get::<std::rc::Rc<ViewerOnce>>() {
            Some(once) => once.clone(),
            None => {
                let once = std::rc::Rc::new(ViewerOnce::default());
                extensions.insert(once.clone());
                once
            }
        }
    };
    once.0
        .get_or_try_init(|| look_up_viewer(req))
        .await
        .cloned()
}

async fn look_up_viewer(req: &HttpRequest) -> Result<Option<Viewer>, AppError> {
    let session = req.get_session();
    let lifetime = req
        .app_data::<web::Data<Site>>()
        .map(|site| site.session_lifetime)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no site configured")))?;
    let signed_in = match claim_of(&session, lifetime) {
        Some(claim) => member_of(req, claim).await?,
        None => None,
    };
    let viewer = match signed_in {
        Some((member, unread)) => {
            req.extensions_mut().insert(unread);
            Some(Viewer::from(&member))
        }
        None => {
            if session.get::<i64>(MEMBER_KEY).ok().flatten().is_some() {
                session.remove(MEMBER_KEY);
                session.remove(EPOCH_KEY);
            }
            None
        }
    };
    req.extensions_mut().insert(viewer.clone());
    Ok(viewer)
}

/// Who the session says is signed in: (member id, epoch, session id). A session from before
/// sessions had ids (or past its lifetime) is simply signed out.
fn claim_of(session: &Session, lifetime: std::time::Duration) -> Option<(i64, i32, String)> {
    let signed_in_since = |since: i64| {
        let age = chrono::Utc::now().timestamp().saturating_sub(since);
        u64::try_from(age).is_ok_and(|age| age <= lifetime.as_secs())
    };
    match (
        session.get::<i64>(MEMBER_KEY).ok().flatten(),
        session.get::<i32>(EPOCH_KEY).ok().flatten(),
        session.get::<String>(SESSION_ID_KEY).ok().flatten(),
        session.get::<i64>(SINCE_KEY).ok().flatten(),
    ) {
        (Some(id), Some(epoch), Some(sid), Some(since)) if signed_in_since(since) => {
            Some((id, epoch, sid))
        }
        _ => None,
    }
}

/// The member a session claims, with their unread count, while that session stands: not
/// ended, of the member's current epoch, the member approved and not suspended.
async fn member_of(
    req: &HttpRequest,
    (id, epoch, sid): (i64, i32, String),
) -> Result<Option<(Member, Unread)>, AppError> {
    let pool = req
        .app_data::<web::Data<Db>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no database configured")))?
        .clone();
    // The header's unread counts come with the member: one trip to the pool.
    let found = pool
        .run(move |conn| {
            Ok(
                match sessions::member_unless_ended(conn, MemberId(id), &sid)? {
                    Some(member) => {
                        let unread = Unread {
                            notifications: inbox::unread_count(conn, member.id)?,
                            messages: crate::messages::conversations::unread_count(
                                conn, member.id,
                            )?,
                        };
                        Some((member, unread))
                    }
                    None => None,
                },
            )
        })
        .await?;
    // Only an approved member is anyone here; an applicant reads as signed out.
    Ok(found.filter(|(member, _)| {
        member.session_epoch == epoch
            && !member.is_suspended(db::now())
            && member.approved_at.is_some()
    }))
}

/// The signed-in viewer's unread notifications and messages, counted when the viewer was
/// loaded.
#[derive(Debug, Clone, Copy, Default)]
struct Unread {
    notifications: i64,
    messages: i64,
}

fn unread_of(req: &HttpRequest) -> Unread {
    req.extensions()
        .get::<Unread>()
        .copied()
        .unwrap_or_default()
}

fn path_and_query(req: &HttpRequest) -> String {
    req.uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| req.path().to_owned())
}

impl FromRequest for PageCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { PageCtx::of(&req).await })
    }
}

/// A signed-in member; anyone else is sent to sign in and brought back.
#[derive(Debug, Clone)]
pub struct CurrentMember(pub Viewer);

impl std::ops::Deref for CurrentMember {
    type Target = Viewer;
    fn deref(&self) -> &Viewer {
        &self.0
    }
}

impl FromRequest for CurrentMember {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match viewer_of(&req).await? {
                Some(viewer) => Ok(CurrentMember(viewer)),
                None => Err(AppError::SignInRequired {
                    next: if req.method() == actix_web::http::Method::GET {
                        path_and_query(&req)
                    } else {
                        "/".into()
                    },
                }),
            }
        })
    }
}

/// Declares an extractor for signed-in staff: anyone else signed in gets 403.
macro_rules! staff_extractor {
    ($(#[$doc:meta])* $name:ident, $allowed:expr, $refusal:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Viewer);

        impl std::ops::Deref for $name {
            type Target = Viewer;
            fn deref(&self) -> &Viewer {
                &self.0
            }
        }

        impl FromRequest for $name {
            type Error = AppError;
            type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let member = CurrentMember::from_request(req, payload);
                Box::pin(async move {
                    let CurrentMember(viewer) = member.await?;
                    let allowed: fn(StaffLevel) -> bool = $allowed;
                    if allowed(viewer.staff) {
                        Ok($name(viewer))
                    } else {
                        Err(AppError::forbidden($refusal))
                    }
                })
            }
        }
    };
}

staff_extractor!(
    /// A signed-in admin.
    Admin,
    StaffLevel::is_admin,
    "Only SPOT's admins can open this page."
);

staff_extractor!(
    /// A signed-in facilitator (or admin).
    Facilitator,
    StaffLevel::can_moderate,
    "Only facilitators can do that."
);

/// The client's network address, for rate limits.
///
/// Behind `trusted_proxies` proxies that each append the address they were reached from
/// to `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`, haproxy's `option
/// forwardfor`), the client is the entry that the outermost proxy added: the Nth from the
/// right. Everything left of it was written by the client and proves nothing. A request
/// with fewer entries did not come through every proxy, so its connection's own address
/// is used.
pub fn client_address(req: &HttpRequest, trusted_proxies: usize) -> String {
    let peer = || {
        req.peer_addr()
            .map(|address| address.ip().to_string())
            .unwrap_or_else(|| "unknown".to_owned())
    };
    if trusted_proxies == 0 {
        return peer();
    }
    let header_values: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .collect();
    forwarded_client(&header_values, trusted_proxies).unwrap_or_else(peer)
}

/// The Nth entry from the right of the `X-Forwarded-For` list that these header values make
/// together (a header may be repeated; each holds a comma-separated list).
fn forwarded_client(header_values: &[&str], hops: usize) -> Option<String> {
    let entries: Vec<&str> = header_values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    let address = entry
        .parse::<std::net::IpAddr>()
        .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()?;
    Some(address.to_string())
}

/// The signed-in member if there is one: for pages visitors may also see.
#[derive(Debug, Clone)]
pub struct MaybeMember(pub Option<Viewer>);

impl FromRequest for MaybeMember {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeMember(viewer_of(&req).await?)) })
    }
}

#[cfg(test)]
mod forwarded_tests {
    use super::forwarded_client;

    #[test]
    fn the_entry_the_trusted_proxy_added_is_the_client() {
        // The client wrote "6.6.6.6"; the one proxy appended the address it saw.
        assert_eq!(
            forwarded_client(&["6.6.6.6, 192.0.2.7"], 1).as_deref(),
            Some("192.0.2.7")
        );
        // Two proxies: the outer one's entry is second from the right.
        assert_eq!(
            forwarded_client(&["6.6.6.6, 192.0.2.7, 10.0.0.2"], 2).as_deref(),
            Some("192.0.2.7")
        );
        // Repeated headers make one list.
        assert_eq!(
            forwarded_client(&["6.6.6.6", "192.0.2.7"], 1).as_deref(),
            Some("192.0.2.7")
        );
    }

    #[test]
    fn too_few_entries_or_nonsense_give_nothing() {
        assert_eq!(forwarded_client(&["192.0.2.7"], 2), None);
        assert_eq!(forwarded_client(&[], 1), None);
        assert_eq!(forwarded_client(&["not-an-address"], 1), None);
        assert_eq!(
            forwarded_client(&["[2001:db8::1]:4711"], 1).as_deref(),
            Some("2001:db8::1")
        );
    }
}

#[cfg(test)]
mod masking_tests {
    use super::{masked, unmask};
    use base64::Engine as _;

    #[test]
    fn every_mask_differs_and_unmasks_to_the_token() {
        let token = super::random_token();
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&token)
            .unwrap();
        let (one, two) = (masked(&token), masked(&token));
        assert_ne!(one, two);
        assert!(!one.contains(&token));
        assert_eq!(unmask(one.as_bytes()), Some(raw.clone()));
        assert_eq!(unmask(two.as_bytes()), Some(raw));
    }

    #[test]
    fn nonsense_is_no_token() {
        assert_eq!(unmask(b"not base64 at all!"), None);
        assert_eq!(unmask(b""), None);
        assert_eq!(unmask(b"abcd"), None, "an odd number of bytes");
    }
}
