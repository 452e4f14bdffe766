DROP TABLE site_marks;
