-- The directory's totals, kept by role and borough: counting the 48,000 listed members of
-- scale 50 at each view of the whole directory took 3 ms, a fifth of the page's rate
-- (docs/benchmarks.md, issue 21). Triggers keep them, so that no write path can forget.
-- "Listed" here is listed and approved; suspension ends by the clock, so the suspended are
-- taken off when counting (few, in the partial index below).
CREATE TABLE directory_counts (
    role TEXT NOT NULL,
    borough TEXT NOT NULL,
    listed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (role, borough)
);

INSERT INTO directory_counts (role, borough, listed)
SELECT role, borough, COUNT(*) FROM members
WHERE listed AND approved_at IS NOT NULL
GROUP BY role, borough;

CREATE TRIGGER directory_counts_joined AFTER INSERT ON members
WHEN new.listed AND new.approved_at IS NOT NULL
BEGIN
    INSERT INTO directory_counts (role, borough, listed) VALUES (new.role, new.borough, 1)
    ON CONFLICT (role, borough) DO UPDATE SET listed = listed + 1;
END;

CREATE TRIGGER directory_counts_gone AFTER DELETE ON members
WHEN old.listed AND old.approved_at IS NOT NULL
BEGIN
    UPDATE directory_counts SET listed = listed - 1
    WHERE role = old.role AND borough = old.borough;
END;

CREATE TRIGGER directory_counts_changed AFTER UPDATE OF listed, approved_at, role, borough ON members
WHEN (old.listed AND old.approved_at IS NOT NULL) IS NOT (new.listed AND new.approved_at IS NOT NULL)
    OR old.role IS NOT new.role OR old.borough IS NOT new.borough
BEGIN
    UPDATE directory_counts SET listed = listed - 1
    WHERE old.listed AND old.approved_at IS NOT NULL
        AND role = old.role AND borough = old.borough;
    INSERT INTO directory_counts (role, borough, listed)
    SELECT new.role, new.borough, 1 WHERE new.listed AND new.approved_at IS NOT NULL
    ON CONFLICT (role, borough) DO UPDATE SET listed = listed + 1;
END;

-- Covering: SQLite would otherwise read a listing index whole for them.
CREATE INDEX members_suspended ON members (suspended_at, role, borough, listed, approved_at, suspended_until)
WHERE suspended_at IS NOT NULL;
