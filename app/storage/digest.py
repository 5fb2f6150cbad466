"""A digest of the roster as the desk holds it: who owes what, who is marked paid elsewhere or
removed, and each person's category (it decides the subsidy). Each roster import journals it;
`verify` recomputes it, so a mark set or cleared with the sqlite3 shell no longer passes."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from app.storage.batches import let_others_run

_DUES = ("SELECT id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, removed FROM due "
         "ORDER BY id_number, insurance, year, id")
_PEOPLE = "SELECT id_number, name, category, removed FROM person ORDER BY id_number"


def roster_digest(conn: sqlite3.Connection) -> str:
    h = hashlib.sha256()
    for query in (_DUES, _PEOPLE):
        cursor = conn.execute(query)
        cursor.row_factory = None  # plain tuples, whatever the connection's factory
        # Each row hashes as repr(tuple(row)) + "\n", as it always has (journalled digests must
        # still match); rows are joined a few thousand at a time rather than hashed one by one.
        while rows := cursor.fetchmany(4096):
            h.update(("\n".join(map(repr, rows)) + "\n").encode("utf-8"))
            let_others_run()
        h.update(b"--\n")
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in 1 MB pieces (a roster file or a scanned 台账 may be 100 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
