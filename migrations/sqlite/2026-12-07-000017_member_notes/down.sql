DROP TABLE member_notes;
