-- The programme's and its partners' marks (logos), shown in the foot of every page. An admin
-- uploads each as a PNG or WebP image (judged by its content; SVG is refused) with the
-- organisation's name and the image's alternative text. The image is in the upload store
-- under file_key.
CREATE TABLE site_marks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    alt_text TEXT NOT NULL,
    role TEXT NOT NULL,
    file_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_by BIGINT REFERENCES members (id) ON DELETE SET NULL,
    added_at TIMESTAMP NOT NULL
);
