-- Schema version 11: ix_receipt_day_seq in every file. It came into v3.sql after the first
-- program of schema v3 was out (f25ceac), so a village that updated to that program has a v3
-- file without it, and no later step made it: every receipt then read the last settled day's
-- receipts instead of seeking its late cash. Files that have it keep it. Never edit.

CREATE INDEX IF NOT EXISTS ix_receipt_day_seq ON receipt (day, journal_seq);
