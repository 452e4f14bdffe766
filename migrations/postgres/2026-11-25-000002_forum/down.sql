DROP TABLE thread_reads;
DROP TABLE reports;
DROP TABLE helpful_marks;
DROP TABLE post_mentions;
DROP TABLE post_revisions;
DROP TABLE posts;
DROP TABLE threads;
DROP TABLE categories;
