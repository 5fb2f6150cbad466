-- Schema version 1, frozen as the v1 program created it. Never edit: add the next version.

CREATE TABLE device (
	id INTEGER NOT NULL,
	village_code VARCHAR NOT NULL,
	village_name VARCHAR NOT NULL,
	township_code VARCHAR NOT NULL,
	township_name VARCHAR NOT NULL,
	device_no INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE setting (
	"key" VARCHAR NOT NULL,
	value VARCHAR NOT NULL,
	PRIMARY KEY ("key")
);

CREATE TABLE user (
	id INTEGER NOT NULL,
	name VARCHAR NOT NULL,
	role VARCHAR NOT NULL,
	pin_salt BLOB NOT NULL,
	pin_hash BLOB NOT NULL,
	failed_attempts INTEGER NOT NULL,
	locked_until DATETIME,
	active BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_user_name ON user (name);

CREATE TABLE person (
	id_number VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	group_name VARCHAR NOT NULL,
	household_no VARCHAR NOT NULL,
	household_head VARCHAR NOT NULL,
	phone VARCHAR NOT NULL,
	category VARCHAR NOT NULL,
	birth_date DATE NOT NULL,
	sex VARCHAR NOT NULL,
	removed BOOLEAN NOT NULL,
	roster_version INTEGER NOT NULL,
	pinyin_initials VARCHAR NOT NULL,
	pinyin_full VARCHAR NOT NULL,
	PRIMARY KEY (id_number)
);

CREATE INDEX ix_person_household_no ON person (household_no);

CREATE INDEX ix_person_name ON person (name);

CREATE INDEX ix_person_phone ON person (phone);

CREATE INDEX ix_person_pinyin_full ON person (pinyin_full);

CREATE INDEX ix_person_group_name ON person (group_name);

CREATE INDEX ix_person_pinyin_initials ON person (pinyin_initials);

CREATE TABLE journal (
	seq INTEGER NOT NULL,
	kind VARCHAR NOT NULL,
	recorded_at VARCHAR NOT NULL,
	body VARCHAR NOT NULL,
	prev_hash VARCHAR NOT NULL,
	hash VARCHAR NOT NULL,
	PRIMARY KEY (seq),
	UNIQUE (hash)
);

CREATE TABLE signature (
	sha256 VARCHAR NOT NULL,
	png BLOB NOT NULL,
	PRIMARY KEY (sha256)
);

CREATE TABLE due (
	id INTEGER NOT NULL,
	id_number VARCHAR NOT NULL,
	insurance VARCHAR NOT NULL,
	year INTEGER NOT NULL,
	tier_fen INTEGER,
	amount_fen INTEGER,
	paid_elsewhere VARCHAR,
	removed BOOLEAN NOT NULL,
	roster_version INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(id_number) REFERENCES person (id_number)
);

CREATE INDEX ix_due_id_number ON due (id_number);

CREATE INDEX ix_due_year ON due (year);

CREATE TABLE receipt (
	number VARCHAR NOT NULL,
	receipt_seq INTEGER NOT NULL,
	journal_seq INTEGER NOT NULL,
	day DATE NOT NULL,
	recorded_at DATETIME NOT NULL,
	payer_id_number VARCHAR NOT NULL,
	payer_name VARCHAR NOT NULL,
	agent VARCHAR NOT NULL,
	total_fen INTEGER NOT NULL,
	cash_fen INTEGER NOT NULL,
	change_fen INTEGER NOT NULL,
	payer_signoff VARCHAR NOT NULL,
	signature_sha256 VARCHAR,
	override_reason VARCHAR,
	PRIMARY KEY (number),
	UNIQUE (receipt_seq),
	UNIQUE (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE INDEX ix_receipt_day ON receipt (day);

CREATE TABLE settlement (
	day DATE NOT NULL,
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
	PRIMARY KEY (day),
	UNIQUE (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE TABLE remittance (
	journal_seq INTEGER NOT NULL,
	slip_no VARCHAR NOT NULL,
	amount_fen INTEGER NOT NULL,
	day DATE NOT NULL,
	recorded_at DATETIME NOT NULL,
	settled_days VARCHAR NOT NULL,
	PRIMARY KEY (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq),
	UNIQUE (slip_no)
);

CREATE TABLE receipt_line (
	receipt_number VARCHAR NOT NULL,
	line_no INTEGER NOT NULL,
	id_number VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	insurance VARCHAR NOT NULL,
	year INTEGER NOT NULL,
	tier_fen INTEGER,
	amount_fen INTEGER NOT NULL,
	due_fen INTEGER NOT NULL,
	PRIMARY KEY (receipt_number, line_no),
	FOREIGN KEY(receipt_number) REFERENCES receipt (number)
);

CREATE INDEX ix_receipt_line_id_number ON receipt_line (id_number);

CREATE TABLE void (
	receipt_number VARCHAR NOT NULL,
	journal_seq INTEGER NOT NULL,
	day DATE NOT NULL,
	recorded_at DATETIME NOT NULL,
	reason VARCHAR NOT NULL,
	agent VARCHAR NOT NULL,
	head VARCHAR NOT NULL,
	PRIMARY KEY (receipt_number),
	FOREIGN KEY(receipt_number) REFERENCES receipt (number),
	UNIQUE (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE TABLE print_event (
	id INTEGER NOT NULL,
	receipt_number VARCHAR NOT NULL,
	recorded_at DATETIME NOT NULL,
	ok BOOLEAN NOT NULL,
	copy_no INTEGER NOT NULL,
	error VARCHAR,
	PRIMARY KEY (id),
	FOREIGN KEY(receipt_number) REFERENCES receipt (number)
);

CREATE INDEX ix_print_event_receipt_number ON print_event (receipt_number);

-- append-only: journal, receipt, receipt_line, void, settlement, remittance, signature, print_event

CREATE INDEX ix_receipt_line_paid ON receipt_line (id_number, insurance, year);

CREATE UNIQUE INDEX ux_due ON due (id_number, insurance, year);
