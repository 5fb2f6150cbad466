-- Schema version 5: drop the indexes no query reads. The search box answers from memory (the
-- pinyin keys are kept in person for it to load, never searched by SQL), and due's unique
-- (id_number, insurance, year) serves every lookup by ID number. Each index cost a township's
-- roster import about 0.2 s per 100,000 people. Never edit.

DROP INDEX ix_person_name;
DROP INDEX ix_person_phone;
DROP INDEX ix_person_pinyin_full;
DROP INDEX ix_person_pinyin_initials;
DROP INDEX ix_due_id_number;
