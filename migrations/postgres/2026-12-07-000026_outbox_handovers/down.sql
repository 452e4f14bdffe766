ALTER TABLE outbox DROP COLUMN handovers;
