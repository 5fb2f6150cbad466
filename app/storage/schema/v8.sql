-- Schema version 8: the county's uniform receipts (统一票据, 002). Books of serial numbers issued
-- to the village are registered; each receipt takes the next serial, and a form spoiled (a jam,
-- a misprint) takes one with the reason. One row per serial used, never changed. Never edit.

CREATE TABLE receipt_serial (
	serial VARCHAR NOT NULL,
	journal_seq INTEGER NOT NULL,
	receipt_number VARCHAR,
	spoiled_reason VARCHAR,
	PRIMARY KEY (serial),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq),
	FOREIGN KEY(receipt_number) REFERENCES receipt (number)
);

CREATE INDEX ix_receipt_serial_receipt_number ON receipt_serial (receipt_number);

-- append-only: receipt_serial
