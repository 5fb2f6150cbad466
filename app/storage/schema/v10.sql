-- Schema version 10: door to door (issue 25). The rows of the grid members' assignments, the
-- 联络表, the reasons people have not paid, the visits and the tax office's debit lists, each
-- projected from its journal entry and never changed (the newest assignment or list wins when
-- read). Never edit.

CREATE TABLE grid_assignment (
	journal_seq INTEGER NOT NULL,
	member VARCHAR NOT NULL,
	group_name VARCHAR NOT NULL,
	household_no VARCHAR NOT NULL,
	PRIMARY KEY (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE TABLE grid_contact (
	journal_seq INTEGER NOT NULL,
	post VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	phone VARCHAR NOT NULL,
	unit VARCHAR NOT NULL,
	active BOOLEAN NOT NULL,
	PRIMARY KEY (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE TABLE unpaid_reason (
	journal_seq INTEGER NOT NULL,
	id_number VARCHAR NOT NULL,
	year INTEGER NOT NULL,
	reason VARCHAR NOT NULL,
	note VARCHAR,
	by_user VARCHAR NOT NULL,
	PRIMARY KEY (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE INDEX ix_unpaid_reason_year ON unpaid_reason (year, id_number);

CREATE TABLE door_visit (
	journal_seq INTEGER NOT NULL,
	id_number VARCHAR NOT NULL,
	year INTEGER NOT NULL,
	visited_on DATE NOT NULL,
	visitor VARCHAR NOT NULL,
	outcome VARCHAR NOT NULL,
	next_step VARCHAR,
	PRIMARY KEY (journal_seq),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE INDEX ix_door_visit_year ON door_visit (year, id_number);

CREATE TABLE debit_mark (
	journal_seq INTEGER NOT NULL,
	row_no INTEGER NOT NULL,
	list_kind VARCHAR NOT NULL,
	id_number VARCHAR NOT NULL,
	on_day DATE NOT NULL,
	detail VARCHAR NOT NULL,
	PRIMARY KEY (journal_seq, row_no),
	FOREIGN KEY(journal_seq) REFERENCES journal (seq)
);

CREATE INDEX ix_debit_mark_id_number ON debit_mark (id_number);

-- append-only: grid_assignment, grid_contact, unpaid_reason, door_visit, debit_mark
