-- Schema version 2: refund requests (退费申请) for receipts of closed days. Never edit.

CREATE TABLE refund_request (
	receipt_number VARCHAR NOT NULL,
	journal_seq INTEGER NOT NULL,
	recorded_at DATETIME NOT NULL,
	amount_fen INTEGER NOT NULL,
	reason VARCHAR NOT NULL,
	agent VARCHAR NOT NULL,
	head VARCHAR NOT NULL,
	PRIMARY KEY (receipt_number),
	FOREIGN KEY(receipt_number) REFERENCES receipt (number),
	UNIQUE (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

-- append-only: refund_request
