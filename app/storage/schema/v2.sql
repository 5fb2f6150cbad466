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

CREATE TRIGGER refund_request_no_update BEFORE UPDATE ON refund_request BEGIN SELECT RAISE(ABORT, '账本记录不可修改或删除: refund_request'); END;

CREATE TRIGGER refund_request_no_delete BEFORE DELETE ON refund_request BEGIN SELECT RAISE(ABORT, '账本记录不可修改或删除: refund_request'); END;
