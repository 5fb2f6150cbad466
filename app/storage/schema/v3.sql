-- Schema version 3: a day may be settled more than once. Cash taken after a day was settled
-- (a villager who comes late) goes into the day's next settlement round, which must be settled
-- too; the key is (day, round_no). Rows of older files are round 1. Never edit.

ALTER TABLE settlement RENAME TO settlement_v2;

CREATE TABLE settlement (
	day DATE NOT NULL,
	round_no INTEGER NOT NULL,
	journal_seq INTEGER NOT NULL,
	recorded_at DATETIME NOT NULL,
	expected_fen INTEGER NOT NULL,
	counted_fen INTEGER NOT NULL,
	difference_fen INTEGER NOT NULL,
	reason VARCHAR,
	denominations VARCHAR NOT NULL,
	receipts INTEGER NOT NULL,
	voids INTEGER NOT NULL,
	agent VARCHAR NOT NULL,
	head VARCHAR NOT NULL,
	PRIMARY KEY (day, round_no),
	UNIQUE (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

INSERT INTO settlement (day, round_no, journal_seq, recorded_at, expected_fen, counted_fen,
                        difference_fen, reason, denominations, receipts, voids, agent, head)
SELECT day, 1, journal_seq, recorded_at, expected_fen, counted_fen, difference_fen, reason,
       denominations, receipts, voids, agent, head FROM settlement_v2;

DROP TABLE settlement_v2;

-- append-only: settlement

-- Late cash of the last settled day (receipts after its last round) is looked up on every
-- receipt: a seek on (day, journal_seq) instead of reading that day's receipts.
CREATE INDEX ix_receipt_day_seq ON receipt (day, journal_seq);
