-- Schema version 4: each user's PIN hash records the scrypt cost it was made with, so the cost
-- can rise (one guess at a stolen file must cost at least 100 ms) without locking anybody out:
-- rows of older files keep the cost they were made with and are re-hashed at the next sign-in.
-- Never edit.

ALTER TABLE user ADD COLUMN pin_kdf VARCHAR NOT NULL DEFAULT 'scrypt$16384$8$1';
