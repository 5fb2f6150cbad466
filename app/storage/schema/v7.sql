-- Schema version 7: 代为缴费 (003 第三十条). In a county whose configuration says the agent pays
-- on the payer's behalf at once, each receipt's payment in the tax system is recorded with its
-- voucher number: one row per receipt, never changed. Never edit.

CREATE TABLE paid_on_behalf (
	receipt_number VARCHAR NOT NULL,
	journal_seq INTEGER NOT NULL,
	recorded_at DATETIME NOT NULL,
	voucher VARCHAR NOT NULL,
	channel VARCHAR NOT NULL,
	amount_fen INTEGER NOT NULL,
	agent VARCHAR NOT NULL,
	PRIMARY KEY (receipt_number),
	FOREIGN KEY(receipt_number) REFERENCES receipt (number),
	UNIQUE (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

-- append-only: paid_on_behalf
