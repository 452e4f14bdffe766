//! The work domains whose confirmed addresses are let in at once (`SPOT_MEMBER_DOMAINS`).

use crate::accounts::Email;

/// A list of domains, each also matching its subdomains: `nhs.uk` lets in
/// `name@mft.nhs.uk` but not `name@notnhs.uk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDomains(Vec<String>);

impl MemberDomains {
    pub const DEFAULT: &'static str = "nhs.net, nhs.uk, gov.uk";

    /// Reads a comma-separated list; a leading `@` or `.` is allowed and ignored. An empty
    /// list is allowed too: then every newcomer waits for a facilitator or has an invitation.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut domains = Vec::new();
        for raw in list.split(',') {
            let domain = raw
                .trim()
                .trim_start_matches(['@', '.'])
                .to_ascii_lowercase();
            if domain.is_empty() {
                continue;
            }
            let well_formed = domain.contains('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !well_formed {
                return Err(format!("{raw:?} is not a domain like nhs.net"));
            }
            domains.push(domain);
        }
        Ok(Self(domains))
    }

    pub fn admits(&self, email: &Email) -> bool {
        let domain = email.domain();
        self.0.iter().any(|allowed| {
            domain == allowed
                || domain
                    .strip_suffix(allowed.as_str())
                    .is_some_and(|sub| sub.ends_with('.'))
        })
    }

    pub fn list(&self) -> &[String] {
        &self.0
    }
}

impl Default for MemberDomains {
    fn default() -> Self {
        Self::parse(Self::DEFAULT).expect("the default list parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &str) -> Email {
        Email::parse(raw).expect("valid address")
    }

    #[test]
    fn a_domain_admits_itself_and_its_subdomains_only() {
        let domains = MemberDomains::default();
        assert!(domains.admits(&email("sam@nhs.net")));
        assert!(domains.admits(&email("sam@mft.nhs.uk")));
        assert!(domains.admits(&email("sam@salford.gov.uk")));
        assert!(!domains.admits(&email("sam@notnhs.uk")));
        assert!(!domains.admits(&email("sam@nhs.net.example.com")));
        assert!(!domains.admits(&email("sam@charity.org.uk")));
    }

    #[test]
    fn the_list_is_forgiving_about_spacing_case_and_at_signs() {
        let domains = MemberDomains::parse(" @NHS.net,, .Bolton.gov.uk ").unwrap();
        assert_eq!(domains.list(), ["nhs.net", "bolton.gov.uk"]);
        assert!(MemberDomains::parse("").unwrap().list().is_empty());
        assert!(MemberDomains::parse("nhs").is_err());
        assert!(MemberDomains::parse("nhs.net/evil").is_err());
    }
}
