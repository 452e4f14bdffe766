DROP TABLE category_facilitators;
