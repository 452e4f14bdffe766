-- The library's and the directory's totals are counted from these alone (no table rows
-- read): at 50,000 members or resources, counting through the table rows took 130-150 ms a
-- page view (docs/benchmarks.md, issue 21).
-- Hidden resources only: few, and no use to the library's newest-first page, whose plan
-- an index on every resource's hidden_at would take over.
CREATE INDEX resources_hidden ON resources (owner_id) WHERE hidden_at IS NOT NULL;
CREATE INDEX members_listing ON members (listed, approved_at, suspended_at, suspended_until);
CREATE INDEX members_listing_role ON members (listed, role, borough, approved_at, suspended_at, suspended_until);
CREATE INDEX members_listing_borough ON members (listed, borough, approved_at, suspended_at, suspended_until);
