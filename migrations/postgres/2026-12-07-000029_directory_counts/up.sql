-- The directory's totals, kept by role and borough: counting the 48,000 listed members of
-- scale 50 at each view of the whole directory was a fifth of the page's rate
-- (docs/benchmarks.md, issue 21). A trigger keeps them, so that no write path can forget.
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

CREATE FUNCTION directory_counts_follow() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.listed AND OLD.approved_at IS NOT NULL THEN
        UPDATE directory_counts SET listed = listed - 1
        WHERE role = OLD.role AND borough = OLD.borough;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.listed AND NEW.approved_at IS NOT NULL THEN
        INSERT INTO directory_counts (role, borough, listed) VALUES (NEW.role, NEW.borough, 1)
        ON CONFLICT (role, borough) DO UPDATE SET listed = directory_counts.listed + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER directory_counts_joined AFTER INSERT OR DELETE ON members
FOR EACH ROW EXECUTE FUNCTION directory_counts_follow();

CREATE TRIGGER directory_counts_changed AFTER UPDATE OF listed, approved_at, role, borough ON members
FOR EACH ROW
WHEN ((OLD.listed AND OLD.approved_at IS NOT NULL) IS DISTINCT FROM (NEW.listed AND NEW.approved_at IS NOT NULL)
    OR OLD.role IS DISTINCT FROM NEW.role OR OLD.borough IS DISTINCT FROM NEW.borough)
EXECUTE FUNCTION directory_counts_follow();

-- Covering: SQLite would otherwise read a listing index whole for them.
CREATE INDEX members_suspended ON members (suspended_at, role, borough, listed, approved_at, suspended_until)
WHERE suspended_at IS NOT NULL;
