//! Who may read `/metrics`: this machine itself, or a scraper with the token. The metrics
//! say how busy SPOT is and where it is slow, which is nobody else's business.
//!
//! "This machine" is judged by the connection's own address, never by what a header
//! claims. Behind a reverse proxy on the same machine every connection comes from
//! loopback, so there the client is the one the trusted proxies report (see
//! [`crate::web::context::client_address`]), and both must be loopback. A request that
//! carries forwarding headers SPOT was not told to trust came through some proxy: it is not
//! taken for a local one.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

use crate::web::context::client_address;

/// The shortest token a scraper may be given.
const SHORTEST: usize = 24;

/// The bearer token that lets a scraper elsewhere read the metrics (`SPOT_METRICS_TOKEN`).
#[derive(Clone)]
pub struct MetricsToken(String);

impl MetricsToken {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let token = raw.trim();
        if token.len() < SHORTEST || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "the token must be at least {SHORTEST} characters with no spaces \
                 (for example the output of `openssl rand -hex 32`)"
            ));
        }
        Ok(Self(token.to_owned()))
    }

    /// Compared in constant time: how long a wrong guess takes says nothing.
    fn matches(&self, sent: &str) -> bool {
        self.0.as_bytes().ct_eq(sent.as_bytes()).into()
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(set)")
    }
}

/// What a request for the metrics shows about who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asker {
    /// The connection's own address.
    pub peer: Option<IpAddr>,
    /// The client the trusted proxies report, or the peer when there are none.
    pub client: Option<IpAddr>,
    /// It carries forwarding headers although no proxy is trusted.
    pub through_unknown_proxy: bool,
    /// The `Authorization` header, if any: `Some(None)` when it is not a bearer token.
    pub bearer: Option<Option<String>>,
}

impl Asker {
    pub fn of(req: &HttpRequest, trusted_proxies: usize) -> Self {
        let peer = req.peer_addr().map(|address| address.ip());
        let headers = req.headers();
        let through_unknown_proxy = trusted_proxies == 0
            && ["x-forwarded-for", "forwarded", "x-real-ip"]
                .iter()
                .any(|name| headers.contains_key(*name));
        let bearer = headers.get(header::AUTHORIZATION).map(|value| {
            let value = value.to_str().ok()?;
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
        Self {
            peer,
            client: client_address(req, trusted_proxies).parse().ok(),
            through_unknown_proxy,
            bearer,
        }
    }
}

/// Why a request may not read the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotThisMachine,
    WrongToken,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotThisMachine => {
                "SPOT's metrics are for the machine it runs on, or for a scraper that sends \
                 the token set in SPOT_METRICS_TOKEN (Authorization: Bearer …)."
            }
            Refusal::WrongToken => "That is not the token set in SPOT_METRICS_TOKEN.",
        }
    }
}

fn loopback(address: Option<IpAddr>) -> bool {
    address.is_some_and(|ip| ip.to_canonical().is_loopback())
}

/// The rule: a token that matches lets anyone in; a token that does not keeps everyone
/// out; without one, only this machine.
pub fn may_read(asker: &Asker, token: Option<&MetricsToken>) -> Result<(), Refusal> {
    match (&asker.bearer, token) {
        (Some(Some(sent)), Some(token)) if token.matches(sent) => Ok(()),
        (Some(_), _) => Err(Refusal::WrongToken),
        (None, _)
            if loopback(asker.peer) && loopback(asker.client) && !asker.through_unknown_proxy =>
        {
            Ok(())
        }
        (None, _) => Err(Refusal::NotThisMachine),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn asker(peer: &str, client: &str) -> Asker {
        Asker {
            peer: peer.parse().ok(),
            client: client.parse().ok(),
            through_unknown_proxy: false,
            bearer: None,
        }
    }

    fn with_bearer(mut asker: Asker, sent: &str) -> Asker {
        asker.bearer = Some(Some(sent.to_owned()));
        asker
    }

    #[test]
    fn this_machine_reads_without_a_token() {
        assert_eq!(may_read(&asker("127.0.0.1", "127.0.0.1"), None), Ok(()));
        assert_eq!(may_read(&asker("::1", "::1"), None), Ok(()));
        assert_eq!(
            may_read(&asker("::ffff:127.0.0.1", "127.0.0.1"), None),
            Ok(())
        );
    }

    #[test]
    fn elsewhere_needs_the_token() {
        let token = MetricsToken::parse(TOKEN).unwrap();
        let outside = asker("192.0.2.7", "192.0.2.7");
        assert_eq!(
            may_read(&outside, Some(&token)),
            Err(Refusal::NotThisMachine)
        );
        assert_eq!(
            may_read(&with_bearer(outside.clone(), TOKEN), Some(&token)),
            Ok(())
        );
        assert_eq!(
            may_read(
                &with_bearer(outside.clone(), "0123456789abcdef0123456789abcdeX"),
                Some(&token)
            ),
            Err(Refusal::WrongToken)
        );
        // No token set: no token opens it.
        assert_eq!(
            may_read(&with_bearer(outside, TOKEN), None),
            Err(Refusal::WrongToken)
        );
    }

    #[test]
    fn a_proxy_on_this_machine_does_not_make_its_clients_local() {
        // Through a trusted proxy on loopback: the client it reports counts.
        assert_eq!(
            may_read(&asker("127.0.0.1", "192.0.2.7"), None),
            Err(Refusal::NotThisMachine)
        );
        // A proxy SPOT was not told about: forwarding headers give it away.
        let mut proxied = asker("127.0.0.1", "127.0.0.1");
        proxied.through_unknown_proxy = true;
        assert_eq!(may_read(&proxied, None), Err(Refusal::NotThisMachine));
        // A client elsewhere claiming loopback in a header it wrote itself.
        assert_eq!(
            may_read(&asker("192.0.2.7", "127.0.0.1"), None),
            Err(Refusal::NotThisMachine)
        );
    }

    #[test]
    fn a_wrong_or_malformed_token_is_refused_even_here() {
        let token = MetricsToken::parse(TOKEN).unwrap();
        let local = asker("127.0.0.1", "127.0.0.1");
        assert_eq!(
            may_read(&with_bearer(local.clone(), "guess"), Some(&token)),
            Err(Refusal::WrongToken)
        );
        let mut basic = local;
        basic.bearer = Some(None);
        assert_eq!(may_read(&basic, Some(&token)), Err(Refusal::WrongToken));
    }

    #[test]
    fn tokens_are_long_and_never_shown() {
        assert!(MetricsToken::parse("short").is_err());
        assert!(MetricsToken::parse("0123456789abcdef 0123456789abcdef").is_err());
        let token = MetricsToken::parse(&format!("  {TOKEN}\n")).unwrap();
        assert!(token.matches(TOKEN));
        assert_eq!(format!("{token:?}"), "(set)");
    }
}
