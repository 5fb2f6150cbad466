"""A digest of the roster as the desk holds it: who owes what, who is marked paid elsewhere or
removed, and each person's category (it decides the subsidy). Each roster import journals it;
`verify` recomputes it, so a mark set or cleared with the sqlite3 shell no longer passes.

Two forms, each under its own key in the roster entry. Entries written since December 2026 carry
`roster_json_sha256`: SQLite writes each row as a JSON array, so Python handles one string a
row instead of seven values (a township's 200,000 rows: 0.23 s instead of 0.36 s, at every
import and every verify). Older entries carry `roster_sha256`, each row as Python's repr; verify
still checks those with the form they were made in.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

from app.storage.batches import let_others_run

_DUES = ("SELECT id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, removed FROM due "
         "ORDER BY id_number, insurance, year, id")
_PEOPLE = "SELECT id_number, name, category, removed FROM person ORDER BY id_number"
_DUES_JSON = ("SELECT json_array(id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, "
              "removed) FROM due ORDER BY id_number, insurance, year, id")
_PEOPLE_JSON = "SELECT json_array(id_number, name, category, removed) FROM person ORDER BY id_number"
_FIRST = itemgetter(0)


def roster_digest(conn: sqlite3.Connection) -> str:
    """The digest new roster entries carry (`roster_json_sha256`)."""
    return _digest(conn, (_DUES_JSON, _PEOPLE_JSON), _FIRST)


def roster_digest_repr(conn: sqlite3.Connection) -> str:
    """The digest older roster entries carry (`roster_sha256`): each row hashes as
    repr(tuple(row)) + "\n", as it always has (journalled digests must still match)."""
    return _digest(conn, (_DUES, _PEOPLE), repr)


def _digest(conn: sqlite3.Connection, queries: tuple[str, str], text: Callable[[Any], str]) -> str:
    """Each query's rows as `text` makes them, a line each, then "--"; rows are joined a few
    thousand at a time rather than hashed one by one."""
    h = hashlib.sha256()
    for query in queries:
        cursor = conn.execute(query)
        cursor.row_factory = None  # plain tuples, whatever the connection's factory
        while rows := cursor.fetchmany(4096):
            h.update(("\n".join(map(text, rows)) + "\n").encode("utf-8"))
            let_others_run()
        h.update(b"--\n")
    return h.hexdigest()


# The key a roster entry's digest is under -> how it was made (the newest first).
ROSTER_DIGESTS: dict[str, Callable[[sqlite3.Connection], str]] = {
    "roster_json_sha256": roster_digest,
    "roster_sha256": roster_digest_repr,
}
ROSTER_DIGEST_KEY = next(iter(ROSTER_DIGESTS))


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in 1 MB pieces (a roster file or a scanned 台账 may be 100 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
