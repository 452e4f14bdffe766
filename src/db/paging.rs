//! Page numbers for every list (`?page=N`, 1-based) and one page of a list: what queries
//! take and return. The links between pages are drawn by `web::paging`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber(u32);

impl PageNumber {
    pub const FIRST: PageNumber = PageNumber(1);

    /// A missing, zero or unreadable page number means the first page.
    pub fn parse(input: Option<&str>) -> Self {
        input
            .and_then(|raw| raw.trim().parse::<u32>().ok())
            .filter(|n| (1..=1_000_000).contains(n))
            .map(PageNumber)
            .unwrap_or(Self::FIRST)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn offset(self, per_page: i64) -> i64 {
        i64::from(self.0 - 1) * per_page
    }
}

/// One page of a list, with what the links need.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: i64,
    pub total: i64,
}

impl<T> Paged<T> {
    /// The page `page` of a list of `total`, `per_page` to a page.
    pub fn new(items: Vec<T>, page: PageNumber, per_page: i64, total: i64) -> Self {
        Self {
            items,
            page: page.get(),
            per_page,
            total,
        }
    }

    /// The same page with each item made into something else.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }

    pub fn last_page(&self) -> u32 {
        let pages = (self.total + self.per_page - 1) / self.per_page;
        pages.max(1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_page_numbers_mean_the_first_page() {
        assert_eq!(PageNumber::parse(None).get(), 1);
        assert_eq!(PageNumber::parse(Some("0")).get(), 1);
        assert_eq!(PageNumber::parse(Some("-3")).get(), 1);
        assert_eq!(PageNumber::parse(Some("abc")).get(), 1);
        assert_eq!(PageNumber::parse(Some("4")).get(), 4);
        assert_eq!(PageNumber::parse(Some("4")).offset(20), 60);
    }

    #[test]
    fn last_page_rounds_up() {
        let paged = Paged {
            items: vec![()],
            page: 1,
            per_page: 20,
            total: 41,
        };
        assert_eq!(paged.last_page(), 3);
        let empty: Paged<()> = Paged {
            items: vec![],
            page: 1,
            per_page: 20,
            total: 0,
        };
        assert_eq!(empty.last_page(), 1);
    }
}
