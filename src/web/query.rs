//! A query string read by hand, for pages whose filters may repeat (`?tag=a&tag=b`), which
//! serde's `web::Query` cannot gather into one field.

/// The decoded `name=value` pairs of a query string, in order.
#[derive(Debug, Clone, Default)]
pub struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    pub fn parse(query: &str) -> Self {
        Self(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The first value given for `name`, as sent.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value given for `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_keep_every_value_in_order() {
        let pairs = QueryPairs::parse("tag=long+covid&q=fatigue%20pacing&tag=sleep");
        assert_eq!(pairs.first("q"), Some("fatigue pacing"));
        assert_eq!(
            pairs.all("tag").collect::<Vec<_>>(),
            ["long covid", "sleep"]
        );
        assert_eq!(pairs.first("page"), None);
    }
}
