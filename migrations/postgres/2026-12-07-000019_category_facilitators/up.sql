-- The facilitators an admin puts in charge of a category. A category with none is looked
-- after by every facilitator; one with some, by them (and admins) alone.
CREATE TABLE category_facilitators (
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    assigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (category_id, member_id)
);
CREATE INDEX category_facilitators_member ON category_facilitators (member_id);
