-- The library's and the directory's totals are counted from these alone (no table rows
-- read): at 50,000 members or resources, counting through the table rows took 130-150 ms a
-- page view (docs/benchmarks.md, issue 21).
CREATE INDEX resources_visible ON resources (hidden_at, owner_id);
CREATE INDEX members_listing ON members (listed, approved_at, suspended_at, suspended_until);
CREATE INDEX members_listing_role ON members (listed, role, borough, approved_at, suspended_at, suspended_until);
CREATE INDEX members_listing_borough ON members (listed, borough, approved_at, suspended_at, suspended_until);
