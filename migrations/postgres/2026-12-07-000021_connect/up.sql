-- A member's service ("my service" on their profile): what it offers, who it is for and how
-- to refer to it, each as Markdown cooked once on save, like the "about" text. A text the
-- patient-data guard holds waits in `holds` (kind 'service') while these keep the approved one.
CREATE TABLE member_services (
    member_id BIGINT PRIMARY KEY NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    offers_source TEXT NOT NULL DEFAULT '',
    offers_html TEXT NOT NULL DEFAULT '',
    who_for_source TEXT NOT NULL DEFAULT '',
    who_for_html TEXT NOT NULL DEFAULT '',
    referral_source TEXT NOT NULL DEFAULT '',
    referral_html TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

-- The boroughs a member's service covers (its area).
CREATE TABLE service_areas (
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    borough TEXT NOT NULL,
    PRIMARY KEY (member_id, borough)
);
CREATE INDEX service_areas_borough ON service_areas (borough, member_id);

-- Site-wide switches an admin sets (the map's counts on the home page); a missing row is
-- the setting's default.
CREATE TABLE site_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES members (id) ON DELETE SET NULL
);
