-- Schema version 9: drop due's index on year. A desk holds a few years, so the index narrows
-- nothing: every query by year reads most of the table, and the newest year's lookup comes
-- before reading that year's dues whole. It cost a township's roster import 0.1 s per
-- 100,000 dues. Never edit.

DROP INDEX ix_due_year;
