-- How many times a letter was handed to the mail server; more than its finished attempts
-- means a worker stopped mid-send and the letter may have gone twice (same Message-ID).
ALTER TABLE outbox ADD COLUMN handovers INTEGER NOT NULL DEFAULT 0;
